"""Her sealed fields as the commands open them: only to compare or to key the duplicate index."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from uuid import UUID

from domain.aggregate import LifecycleAggregate
from domain.beneficiary import Beneficiary
from domain.entitlement import Entitlement
from domain.free_text import require_no_personal_data
from domain.sealed import Sealed
from service.commands.base import CommandBase
from service.security.vault import Vault, name_and_birth_date


def opened(vault: Vault, sealed: Sealed | None) -> str | None:
    """A sealed field's plaintext; None when absent or its key was erased."""
    return None if sealed is None else vault.open(sealed)


def recorded_birth_date(vault: Vault, beneficiary: Beneficiary) -> date | None:
    """Her birth date as verification or the referral sealed it; None when none is recorded
    or its key was erased."""
    text = opened(vault, beneficiary.birth_date)
    return date.fromisoformat(text) if text else None


def recorded_twin_key(vault: Vault, beneficiary: Beneficiary) -> str | None:
    """Her recorded name with her birth date as the duplicate index keys them, once her
    verification put them there (check A06); None otherwise."""
    if beneficiary.minor_at_pendataan is not False:
        return None
    name, born = opened(vault, beneficiary.name), recorded_birth_date(vault, beneficiary)
    return None if name is None or born is None else name_and_birth_date(name, born)


def refuse_her_name(
    vault: Vault, beneficiary: Beneficiary, texts: Mapping[str, str | None]
) -> None:
    """Refuse free text of a command on her case that names her (ADR 0041): the texts are kept
    in clear, her name is sealed, so only here can the two be compared. `texts` maps each
    field's name, as the error names it, to its text. Her name is opened for this alone; once
    her identity key is erased there is nothing to compare. The number patterns were checked
    where the text was made (the provenance, the aggregate's method)."""
    name = opened(vault, beneficiary.name)
    if not name:
        return
    for field, text in texts.items():
        if text:
            require_no_personal_data(text, field=field, names=(name,))


def refuse_name_in_case(
    app: CommandBase, aggregate_id: UUID, texts: Mapping[str, str | None]
) -> None:
    """`refuse_her_name` for a command on her case or on one of her entitlements, named by
    `aggregate_id`. Anything else (a site, a compensation payee, who has no case) has no name
    to compare."""
    if not any(texts.values()) or not app.exists(aggregate_id):
        return
    found = app.load(LifecycleAggregate, aggregate_id)
    if isinstance(found, Entitlement):
        refuse_name_in_case(app, found.subject_id, texts)
    elif isinstance(found, Beneficiary):
        refuse_her_name(app.vault, found, texts)
