"""Maintenance commands run by developers, never by the service (ADR 0036)."""
