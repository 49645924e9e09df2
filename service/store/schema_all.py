"""Every SQLAlchemy table Jejak owns, for migrations and checks."""

from __future__ import annotations

from projections.tables import metadata as read_model_metadata
from service.store.schema import metadata as service_metadata

target_metadata = [read_model_metadata, service_metadata]
