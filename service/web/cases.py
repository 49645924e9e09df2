"""A case's page, `/cases/{case_number}`: her case's state, who holds it, the next action, her
personal data as the viewer's role may see it (and the reveal of one field, for a reason), her
entitlements and payments, and her timeline, all through the viewer's scope."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Final
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from domain.access import CASE_FIELDS, may_reveal, may_reveal_restricted
from domain.errors import DomainError
from domain.privacy.erasure import CASE_FILE_FIELDS
from domain.sealed import KeyPurpose
from service.api.deps import JejakDep
from service.errors import NotFound
from service.i18n import refusal_for
from service.i18n.formats import date_id
from service.queries.read_models import ReadModels
from service.queries.reveal import ERASED, RevealedField, RevealNotAllowed
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak
from service.web.commands import case_subject, entitlement_forms, forms_now
from service.web.i18n import language_of
from service.web.names import StaffNames, case_numbered
from service.web.past import as_it_stood, date_cut
from service.web.rendering import (
    deadlines_judged_on,
    not_found_page,
    settled,
    templates,
    to_login,
    viewer_of,
)
from service.web.timeline import timeline

# The read model holds her name and NIK; her other fields are shown by the reveal act only.
READ_MODEL_FIELDS: Final = ("name", "nik")
ENTITLEMENTS_SHOWN: Final = 100

router = APIRouter(include_in_schema=False)


def case_page_context(
    request: Request, jejak: Jejak, viewer: Account, case_number: str
) -> dict[str, Any]:
    """What the case page shows, by name: `case` (her beneficiary_status row, name and NIK as
    the viewer's role may see them), `site` (her site's row, or None outside the viewer's
    scope), `held_by` and `awaiting_acceptance_by` (units' names), `next_step` (next action
    and due date, or None), `personal_fields` (each case field with the value the read model
    gives, or None, and whether the viewer may reveal it), `entitlements` (a page of her
    entitlement_status rows), `timeline`, `today`. NotFound when no case the viewer may see
    has this number. The reveal's answer adds `revealed` or `reveal_error`."""
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    beneficiary_id, case = case_numbered(reads, viewer, case_number)
    names = StaffNames(jejak)
    # Deadlines as the other pages judge them: as at the day the store is shown (ADR 0050).
    today = deadlines_judged_on(request)
    try:
        site: dict[str, Any] | None = reads.sites.one(UUID(case["site_id"]))
    except NotFound:
        # A training centre holds her case, not her site: the site is not its to open.
        site = None
    # Her erasure carried out (ADR 0055), or the restriction she asked for (ADR 0057): the
    # page says so to every role, and offers the reveal only to the readers of restricted data.
    restricted = jejak.vault.is_restricted(beneficiary_id)
    erased = jejak.vault.is_erased(beneficiary_id, KeyPurpose.CASEFILE)
    revealable = may_reveal_restricted if restricted else may_reveal
    return {
        "viewer": viewer,
        "case": case,
        "site": site,
        "held_by": names.unit(case["held_by"]),
        "awaiting_acceptance_by": names.unit(case["awaiting_acceptance_by"]),
        "next_step": reads.worklist.next_step_of(beneficiary_id, as_of=today),
        "personal_fields": [
            {
                "field": field,
                "value": _shown_value(case, field, erased),
                "revealable": revealable(viewer.role, field),
            }
            for field in CASE_FIELDS
        ],
        "entitlements": reads.money.entitlements(
            beneficiary_id=beneficiary_id, limit=ENTITLEMENTS_SHOWN, offset=0
        ),
        "timeline": timeline(reads, names, viewer, beneficiary_id, "Beneficiary"),
        "today": today,
        "revealed": None,
        "reveal_error": None,
        "erased": erased,
        "restricted": restricted,
    }


def _shown_value(case: dict[str, Any], field: str, erased: bool) -> str | None:
    """What the table shows before any reveal: the read model's name and NIK as the viewer
    may see them; a case-file field whose key was destroyed, as erased."""
    if field in READ_MODEL_FIELDS:
        value: str | None = case.get(field)
        return value
    return ERASED if erased and field in CASE_FILE_FIELDS else None


def reveal_on_page(
    jejak: Jejak, viewer: Account, case_number: str, field: str, reason: str
) -> RevealedField:
    """One of her fields in clear for `reason`, by the reveal act the API uses (ADR 0046),
    which writes the access log first."""
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    beneficiary_id = reads.beneficiaries.id_of_case(case_number)
    return reads.reveals.reveal(viewer, beneficiary_id, field, reason)


def shown(revealed: RevealedField) -> RevealedField:
    """A revealed value as the page writes it: her date of birth as `15 Maret 1979`."""
    if revealed.field == "birth_date" and revealed.value:
        try:
            return RevealedField(revealed.field, date_id(date.fromisoformat(revealed.value)))
        except ValueError:
            # `[erased]`, `[unreadable]`: shown as the act gives it.
            return revealed
    return revealed


def case_actions(
    request: Request, jejak: Jejak, viewer: Account, case_number: str
) -> dict[str, Any] | None:
    """The forms of the steps open on her case now, for the viewer's role."""
    subject = case_subject(jejak, viewer, case_number)
    if subject is None:
        return None
    steps = forms_now(request, jejak, viewer, subject)
    if subject.path_id is not None and jejak.vault.is_restricted(subject.path_id):
        # Restricted (ADR 0055): her case takes no further step, so none is offered.
        steps = {"steps": [], "corrections": []}
    return {**steps, "grants": entitlement_forms(request, jejak, viewer, case_number)}


@router.get("/cases/{case_number}", response_class=HTMLResponse)
def case_page(request: Request, jejak: JejakDep, case_number: str) -> Response:
    """One case's page, by its number (`/cases/TRK-JP-0004`)."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    done = settled(request, jejak)
    try:
        context = case_page_context(request, jejak, viewer, case_number)
    except NotFound:
        return not_found_page(request, viewer)
    past = as_it_stood(
        jejak,
        UUID(context["case"]["beneficiary_id"]),
        context["timeline"],
        date_cut(request, jejak, viewer),
    )
    context.update(actions=case_actions(request, jejak, viewer, case_number), done=done, **past)
    return templates.TemplateResponse(request, "case.html", context)


@router.post("/cases/{case_number}/reveal", response_class=HTMLResponse)
def reveal_field(
    request: Request,
    jejak: JejakDep,
    case_number: str,
    field: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Show one of her fields in clear for the reason typed in (the "Tampilkan" form): the case
    page again, with the value, or the refusal next to the reason."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    revealed: RevealedField | None = None
    refusal: dict[str, str] | None = None
    status = 200
    try:
        revealed = shown(reveal_on_page(jejak, viewer, case_number, field, reason))
    except NotFound:
        return not_found_page(request, viewer)
    except (DomainError, RevealNotAllowed) as error:
        status = 403 if isinstance(error, RevealNotAllowed) else 422
        refusal = {"field": field, "message": refusal_for(language_of(request), error)}
    try:
        context = case_page_context(request, jejak, viewer, case_number)
    except NotFound:
        return not_found_page(request, viewer)
    context.update(
        revealed=revealed,
        reveal_error=refusal,
        actions=case_actions(request, jejak, viewer, case_number),
    )
    return templates.TemplateResponse(request, "case.html", context, status)
