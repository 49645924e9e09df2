"""The programme dashboard over HTTP: per site, counts per state and the headcounts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from service.api.answers import ReadDep, caught_up
from service.api.deps import JejakDep, UserDep
from service.api.inputs import After

reads = APIRouter(prefix="/api", tags=["queries"])


@reads.get("/dashboard")
def dashboard(
    user: UserDep, jejak: JejakDep, reads: ReadDep, response: Response, after: After = None
) -> dict[str, Any]:
    """Per site: counts per state; headcount at pendataan vs at closure vs now."""
    caught_up(jejak, after, response)
    return reads.dashboard.now()
