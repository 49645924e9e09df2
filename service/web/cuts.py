"""Every page at a cut (issue 16): the `as_at` business date and `known_at` log position or
recording time a page whose API takes them is asked at, read once from the address, and the
banner that tells a reader the page shows the past, not today."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import Request
from pydantic import TypeAdapter, ValidationError

from service.api.inputs import BusinessDate
from service.queries.time_travel import Cut, known_position
from service.system import Jejak

# The same check the API's `as_at` gets: an ISO date within the programme's business dates.
_BUSINESS_DATE = TypeAdapter(BusinessDate)


@dataclass(frozen=True)
class PageCut:
    """The cut a page is shown at, as the reader asked for it.

    `cut` is None for today's state. `refused` names the fields whose value could not be
    used (the page then shows today for that axis and says so next to the field); `typed`
    keeps what was typed, so the form shows it back."""

    cut: Cut | None = None
    typed: dict[str, str] = field(default_factory=dict)
    refused: frozenset[str] = frozenset()

    @property
    def as_at(self) -> date | None:
        return None if self.cut is None else self.cut.as_at

    @property
    def known_at(self) -> int | None:
        return None if self.cut is None else self.cut.known_at

    def query(self) -> dict[str, str]:
        """The cut as query parameters, for links and downloads that keep it."""
        values = {
            "as_at": "" if self.as_at is None else self.as_at.isoformat(),
            "known_at": "" if self.known_at is None else str(self.known_at),
        }
        return {name: value for name, value in values.items() if value}


def cut_of_page(request: Request, jejak: Jejak) -> PageCut:
    """The cut in the page's address (`?as_at=2018-12-31&known_at=1200`), or today's state.

    A value that is not understood is refused rather than guessed: the page shows today for
    it and marks the field."""
    typed = {
        name: request.query_params.get(name, "").strip()
        for name in ("as_at", "known_at")
        if request.query_params.get(name, "").strip()
    }
    refused: set[str] = set()
    as_at: date | None = None
    known_at: int | None = None
    if "as_at" in typed:
        try:
            as_at = _BUSINESS_DATE.validate_python(typed["as_at"])
        except ValidationError:
            refused.add("as_at")
    if "known_at" in typed:
        try:
            known_at = known_position(jejak, typed["known_at"])
        except ValueError:
            refused.add("known_at")
    cut = None if as_at is None and known_at is None else Cut(known_at=known_at, as_at=as_at)
    return PageCut(cut=cut, typed=typed, refused=frozenset(refused))


def cut_context(page_cut: PageCut) -> dict[str, Any]:
    """What `base.html` (the banner) and `_cut.html` (the control) read."""
    return {"page_cut": page_cut}
