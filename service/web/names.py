"""Names people know, never a UUID (issue 15, point 2): a site by its code (`TRK-JP`), a case
by its number (`TRK-JP-0004`), resolved through the viewer's scoped read models; and the other
way, a unit's code and an account's username to the names people read on a page.

A name the viewer's scope does not hold answers exactly as a name no record has: the same 404
page (ADR 0044), so that a page tells nothing of a record outside the scope.
"""

from __future__ import annotations

from urllib.parse import quote
from uuid import UUID

from service.queries.paging import Row
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.system import Jejak


def site_named(reads: ReadModels, code: str) -> Row:
    """The site whose code is `code`, with its `site_id`; NotFound when unknown or outside
    the scope."""
    return reads.sites.by_code(code)


def case_numbered(reads: ReadModels, viewer: Account, case_number: str) -> tuple[UUID, Row]:
    """The id and the row of the case numbered `case_number`, her name and NIK as the viewer's
    role may see them (the read is logged); NotFound when unknown or outside the scope."""
    beneficiary_id = reads.beneficiaries.id_of_case(case_number)
    return beneficiary_id, reads.beneficiaries.one(viewer, beneficiary_id)


class StaffNames:
    """Units' and accounts' names for one page, each looked up once."""

    def __init__(self, jejak: Jejak) -> None:
        self._jejak = jejak
        self._units: dict[str, str] | None = None
        self._people: dict[str, str] = {}

    def unit(self, code: str | None) -> str | None:
        """The unit's name (`Dinas Sosial Kota Tarakan`), or its code where the directory has
        none (a store of one office keeps free text there)."""
        if code is None:
            return None
        if self._units is None:
            self._units = {u.code: u.name for u in self._jejak.scopes.directory().all()}
        return self._units.get(code, code)

    def person(self, username: str) -> str:
        """The account's display name, or its username where no account has it."""
        if username not in self._people:
            account = self._jejak.accounts.get(username)
            self._people[username] = account.display_name if account else username
        return self._people[username]


def finding_page(finding_number: str, lhp_number: str | None = None) -> str:
    """The page of the audit finding numbered `finding_number`; with its report's number
    (`<LHP number>/<finding number>`), which names it even where other reports number a
    finding alike. Both may hold slashes."""
    name = finding_number if lhp_number is None else f"{lhp_number}/{finding_number}"
    return f"/audit/findings/{quote(name, safe='/')}"


def report_page(kind: str, period_start: object, period_end: object) -> str:
    """The page of a published report, named by its kind and period (published once each)."""
    return f"/reports/{kind}-{period_start}-{period_end}"
