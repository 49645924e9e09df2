"""The lifecycles as declared (states, transitions, roles, guards, deadlines), for the pages
and for anyone building a form or a diagram from them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from domain.lifecycle import Lifecycle
from domain.lifecycle_docs import LIFECYCLES
from service.api.deps import UserDep

reads = APIRouter(prefix="/api", tags=["queries"])


@reads.get("/lifecycles")
def lifecycles(user: UserDep) -> dict[str, Any]:
    """The lifecycle declarations the server enforces (states, transitions, deadlines)."""
    return {lc.aggregate: _lifecycle(lc) for lc in LIFECYCLES}


def _lifecycle(lc: Lifecycle) -> dict[str, Any]:
    return {
        "states": [
            {
                "name": s.name,
                "description": s.description,
                "terminal": s.terminal,
                "next_action": s.next_action,
            }
            for s in lc.states
        ],
        "transitions": [
            {
                "command": t.command,
                "event": t.event,
                "from": t.sources,
                "to": t.target,
                "roles": [str(r) for r in t.roles],
                "guards": t.guards,
                "not_dated_before": lc.steps_followed(t),
            }
            for t in lc.transitions
        ],
        "corrections": [
            {
                "command": c.command,
                "event": c.event,
                "roles": [str(r) for r in c.roles],
                "guards": c.guards,
            }
            for c in lc.corrections
        ],
        "deadlines": [
            {
                "setting": d.setting,
                "states": d.states,
                "clock_starts": d.clock_starts,
                "default_days": d.default_days,
                "description": d.description,
            }
            for d in lc.deadlines
        ],
    }
