"""Her sealed fields as the commands open them: only to compare or to key the duplicate index."""

from __future__ import annotations

from datetime import date

from domain.beneficiary import Beneficiary
from domain.sealed import Sealed
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
