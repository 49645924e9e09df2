"""The Beneficiary aggregate: one woman's case from pendataan to the case's closure.

Her aid is paid through the money ledger (`domain.entitlement`); her case records the decrees
that name her and the bank account the transfers go to."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.beneficiary_errors import (
    BeneficiaryIsMinor,
    BirthDateErased,
    CaseNumberOfAnotherSite,
    DocumentRequired,
    GrantNeedsCompletedTraining,
    HandOverNotAwaited,
    NikAlreadyInProgramme,
    NotAMinor,
    ReasonRequired,
    SiteNotClosed,
    TrainingFacilityUnknown,
)
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.corrections import (
    Correctable,
    CorrectionEvent,
    DateCorrection,
    DocumentCorrection,
    NothingToCorrect,
)
from domain.errors import InvalidValue
from domain.free_text import require_no_personal_data
from domain.guards import MAX_AMOUNT, require_document, require_reason
from domain.identity import Sex, age_on, check_kk, check_nik, default_registry, is_synthetic_nik
from domain.money_errors import AidStillDue
from domain.recording import Actor, DocumentRef, Provenance, RegionRef
from domain.rules import ADULT_AGE, ProgrammeRules
from domain.sealed import KeyPurpose, Sealed, Sealer
from domain.site import Site

# ASCII only, and fullmatch: a trailing newline or look-alike digits must not pass.
CASE_NUMBER = re.compile(r"[A-Z]{2,4}-[A-Z]{2,4}-[0-9]{4}", re.ASCII)
BANK_CODE = re.compile(r"[0-9]{3}", re.ASCII)
ACCOUNT_NUMBER = re.compile(r"[0-9]{6,20}", re.ASCII)
# Her phone as the office writes it: digits, spaces and dashes, an optional leading plus. The
# API publishes the same pattern, so one rule holds for every way in (ADR 0029).
PHONE = re.compile(r"\+?[0-9 -]{6,20}", re.ASCII)
# The longest holder name a bank's transfer file carries (checked in service/files/bankfiles.py).
HOLDER_NAME_MAX_LENGTH = 100
# What `Beneficiary.create_id` hashes before the case number, as uuid5 would.
_ID_PREFIX = NAMESPACE_URL.bytes + b"jejak:beneficiary:"


class ExclusionReason(StrEnum):
    """Why someone counted at pendataan left the programme before training."""

    NOT_A_WORKER = "not_a_worker"
    DUPLICATE = "duplicate"
    LEFT_SITE = "left_site"
    REFUSED = "refused"
    OTHER = "other"


class ReintegrationPath(StrEnum):
    """Where the assessment plans for her to settle after training."""

    RETURN_HOME = "return_home"
    STAY_LOCAL = "stay_local"


@dataclass(frozen=True)
class IdentityEvidence:
    """Plaintext identity as presented at verification; sealed before any event holds it."""

    nik: str
    birth_date: date
    sex: Sex
    kk: str | None = None


@dataclass(frozen=True)
class IdentityChecks:
    """What verification checked and found, kept because the plaintext may later be erased."""

    nik_format_valid: bool
    nik_region_known: bool
    nik_birth_digits_consistent: bool
    nik_sex_digit_consistent: bool
    adult_on_pendataan: bool
    duplicate_in_programme: bool
    kk_checked: bool
    synthetic_nik: bool
    dukcapil_match: str = "not_checked"
    # Another case has the same normalised name and birth date (A06), from the vault's index.
    name_and_birth_date_shared: bool = False
    # The edition of the Kemendagri list `nik_region_known` was looked up in; "" when the check
    # used the small tables shipped before the full list (ADR 0036), which check A02 ignores.
    nik_region_edition: str = ""


@dataclass(frozen=True)
class BeneficiaryDetails:
    """What pendataan recorded of her besides her case number, sealed with her keys."""

    name: Sealed
    phone: Sealed | None


def check_phone(phone: str | None) -> None:
    """Her phone, when given, must look like one (`PHONE`); the message never repeats it."""
    if phone is not None and not PHONE.fullmatch(phone):
        raise InvalidValue(
            "phone must be 6 to 20 digits, spaces or dashes, with an optional leading +",
            field="phone",
        )


class Beneficiary(Correctable):
    """One person's case; the id derives from the case number, which holds no personal data."""

    lifecycle = BENEFICIARY_LIFECYCLE

    class BeneficiaryRegistered(LifecycleAggregate.Created):
        """She was counted at a site at pendataan (the business date)."""

        site_id: UUID
        case_number: str
        name: Sealed
        phone: Sealed | None

    class IdentityVerified(LifecycleAggregate.Event):
        """Her identity was checked; the checks and outcomes are kept in clear, values sealed."""

        nik: Sealed
        kk: Sealed | None
        birth_date: Sealed
        sex: Sealed
        checks: IdentityChecks

    class BeneficiaryExcluded(LifecycleAggregate.Event):
        """She was excluded from the programme; `reason` explains."""

        exclusion: ExclusionReason

    class ReferredToChildProtection(LifecycleAggregate.Event):
        """She was under 18 at pendataan and was referred to the child-protection path."""

        birth_date: Sealed

    class Assessed(LifecycleAggregate.Event):
        """A social worker assessed her; `document` is the evidence of the home region."""

        home_region: RegionRef
        path: ReintegrationPath
        notes: Sealed | None

    class SentToTraining(LifecycleAggregate.Event):
        """She departed for a registered training facility."""

        facility_id: str
        facility_name: str
        facility_region: str

    class TrainingCompleted(LifecycleAggregate.Event):
        """She completed training; `document` is the certificate."""

        skill: str

    class TrainingDroppedOut(LifecycleAggregate.Event):
        """She left training early; `reason` explains."""

    class ReturnedHome(LifecycleAggregate.Event):
        """Her home kelurahan confirmed her arrival; `document` is the stamped confirmation."""

        confirming_kelurahan: RegionRef

    class StayedLocally(LifecycleAggregate.Event):
        """She stays locally; `document` is her signed statement."""

    class HandOverAccepted(LifecycleAggregate.Event):
        """The unit she was handed over to (to train, or on her return home) accepted her case;
        it is responsible for her from now on (ADR 0044)."""

        unit: str

    class BankAccountRecorded(LifecycleAggregate.Event):
        """Her bank account, sealed; `document` is her passbook or the bank's letter.

        Whether the holder's name matched hers is kept in clear, because the plaintext may
        later be erased while the payment evidence must stand (G-B4). `holder_name` is the name
        as the passbook prints it, sealed like the account: banks match a transfer on it.
        Added with a default (ADR 0036): accounts recorded before it lack it, and their
        transfers carry her registered name as before.
        """

        bank_code: str
        account: Sealed
        holder_name_matches: bool
        holder_name: Sealed | None = None

    class AidDecreed(LifecycleAggregate.Event):
        """A decree named her for these entitlements; `document` is the SK."""

        decree_id: UUID
        decree_number: str
        entitlement_ids: tuple[UUID, ...]

    class CaseClosed(LifecycleAggregate.Event):
        """The case was closed (terminasi)."""

    class BeneficiaryWithdrew(LifecycleAggregate.Event):
        """She withdrew from the programme; `reason` explains."""

    class BeneficiaryDied(LifecycleAggregate.Event):
        """She died on `occurred_on`; `document` is the evidence."""

    class BeneficiaryDetailsCorrected(CorrectionEvent):
        """Her name or phone was recorded wrongly at pendataan; old and new values sealed.

        `name_and_birth_date_shared` is what the erasable duplicate index found for her
        corrected name once verified (check A06); None when the index was not consulted (her
        name unchanged, or not verified yet). Added with a default: stored events lack it.
        """

        previous: BeneficiaryDetails
        corrected: BeneficiaryDetails
        name_and_birth_date_shared: bool | None = None

    class BeneficiaryDateCorrected(DateCorrection):
        """The business date of an earlier event of her case was recorded wrongly."""

    class BeneficiaryDocumentCorrected(DocumentCorrection):
        """The document reference of an earlier event of her case was recorded wrongly."""

    @staticmethod
    def create_id(case_number: str) -> UUID:
        """Deterministic id, so a case number can be registered only once.

        `uuid5(NAMESPACE_URL, "jejak:beneficiary:" + case_number)`, with the constant part of
        the hashed bytes prepared once: a roster derives hundreds of ids.
        """
        digest = hashlib.sha1(_ID_PREFIX + case_number.encode(), usedforsecurity=False).digest()
        return UUID(bytes=digest[:16], version=5)

    @classmethod
    def register(
        cls,
        *,
        site: Site,
        case_number: str,
        name: str,
        phone: str | None,
        sealer: Sealer,
        provenance: Provenance,
        checked_id: UUID | None = None,
    ) -> Beneficiary:
        """Register her at `site` on the pendataan date `provenance.occurred_on`.

        `checked_id` is her id when the caller has already run `check_registration` and
        `create_id`, as a roster does for every row before any key is made for it. The event
        and the aggregate are built directly, not through the library's generic constructor
        (see `_start`).
        """
        if checked_id is None:
            cls.check_registration(site=site, case_number=case_number, name=name, phone=phone)
            checked_id = cls.create_id(case_number)
        return cls._start(
            cls.BeneficiaryRegistered,
            checked_id,
            site_id=site.id,
            case_number=case_number,
            name=sealer.seal(KeyPurpose.IDENTITY, "name", name.strip()),
            phone=sealer.seal(KeyPurpose.CASEFILE, "phone", phone) if phone else None,
            **provenance.event_fields(),
        )

    @staticmethod
    def check_registration(*, site: Site, case_number: str, name: str, phone: str | None) -> None:
        """The registration rules, checkable before any key or seal is made for her."""
        if not CASE_NUMBER.fullmatch(case_number):
            raise InvalidValue("case number must look like TRK-JP-0001", field="case_number")
        if not case_number.startswith(site.code + "-"):
            raise CaseNumberOfAnotherSite(site.code)
        if not name.strip():
            raise InvalidValue("name must not be empty", field="name")
        check_phone(phone)

    @event(BeneficiaryRegistered)
    def __init__(
        self,
        site_id: UUID,
        case_number: str,
        name: Sealed,
        phone: Sealed | None,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.site_id = site_id
        self.case_number = case_number
        self.name = name
        self.phone = phone
        self.pendataan_on = occurred_on
        self.identity_verified = False
        self.training_completed = False
        self.bank_code: str | None = None
        self.bank_account: Sealed | None = None
        self.bank_account_holder: Sealed | None = None
        self.account_holder_matches = False
        self.entitlement_ids: tuple[UUID, ...] = ()
        # Her birth date as verification or the referral sealed it, and whether that found
        # her a minor: a corrected pendataan date is checked against it (ADR 0022).
        self.birth_date: Sealed | None = None
        self.minor_at_pendataan: bool | None = None
        # Her NIK as verification sealed it: the duplicate index entry it rests on is kept
        # while a record holds it (ADR 0029).
        self.nik: Sealed | None = None
        # Her family card number as verification sealed it, for the reveal act (ADR 0046).
        self.kk: Sealed | None = None

    def verify_identity(
        self,
        *,
        evidence: IdentityEvidence,
        duplicate_in_programme: bool,
        sealer: Sealer,
        provenance: Provenance,
        name_and_birth_date_shared: bool = False,
    ) -> IdentityChecks:
        """Verify her identity against the NIK rules; `duplicate_in_programme` and
        `name_and_birth_date_shared` come from the service's erasable duplicate index."""
        self._allowed("verify_identity")
        nik_check = check_nik(
            evidence.nik,
            birth_date=evidence.birth_date,
            sex=evidence.sex,
            on=self.pendataan_on,
            registry=default_registry(),
        )
        if evidence.kk is not None:
            check_kk(evidence.kk)
        if age_on(evidence.birth_date, self.pendataan_on) < ADULT_AGE:
            raise BeneficiaryIsMinor(
                "under 18 on the pendataan date: refer to child protection instead",
                field="birth_date",
            )
        if duplicate_in_programme:
            raise NikAlreadyInProgramme("this NIK already belongs to another case", field="nik")
        checks = IdentityChecks(
            nik_format_valid=True,
            nik_region_known=nik_check.region_known,
            nik_birth_digits_consistent=nik_check.birth_digits_consistent,
            nik_sex_digit_consistent=nik_check.sex_digits_consistent,
            adult_on_pendataan=True,
            duplicate_in_programme=False,
            kk_checked=evidence.kk is not None,
            synthetic_nik=is_synthetic_nik(evidence.nik),
            name_and_birth_date_shared=name_and_birth_date_shared,
            nik_region_edition=nik_check.region_edition,
        )
        self._identity_verified(
            nik=sealer.seal(KeyPurpose.IDENTITY, "nik", evidence.nik),
            kk=sealer.seal(KeyPurpose.IDENTITY, "kk", evidence.kk) if evidence.kk else None,
            birth_date=sealer.seal(
                KeyPurpose.IDENTITY, "birth_date", evidence.birth_date.isoformat()
            ),
            sex=sealer.seal(KeyPurpose.IDENTITY, "sex", evidence.sex.value),
            checks=checks,
            **provenance.event_fields(),
        )
        return checks

    @event(IdentityVerified)
    def _identity_verified(
        self,
        nik: Sealed,
        kk: Sealed | None,
        birth_date: Sealed,
        sex: Sealed,
        checks: IdentityChecks,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.identity_verified = True
        self.nik, self.kk = nik, kk
        self.birth_date, self.minor_at_pendataan = birth_date, False

    def exclude(self, *, exclusion: ExclusionReason, provenance: Provenance) -> None:
        """Exclude her from the programme, with a reason."""
        self._allowed("exclude")
        require_reason(provenance)
        self._excluded(exclusion=exclusion, **provenance.event_fields())

    @event(BeneficiaryExcluded)
    def _excluded(
        self,
        exclusion: ExclusionReason,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        pass

    def refer_to_child_protection(
        self, *, birth_date: date, sealer: Sealer, provenance: Provenance
    ) -> None:
        """Refer her to child protection: she was under 18 on the pendataan date."""
        self._allowed("refer_to_child_protection")
        if age_on(birth_date, self.pendataan_on) >= ADULT_AGE:
            raise NotAMinor("18 or over on the pendataan date", field="birth_date")
        self._referred(
            birth_date=sealer.seal(KeyPurpose.IDENTITY, "birth_date", birth_date.isoformat()),
            **provenance.event_fields(),
        )

    @event(ReferredToChildProtection)
    def _referred(
        self,
        birth_date: Sealed,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.birth_date, self.minor_at_pendataan = birth_date, True

    def assess(
        self,
        *,
        home_region: RegionRef,
        path: ReintegrationPath,
        notes: str | None,
        sealer: Sealer,
        provenance: Provenance,
    ) -> None:
        """Record the assessment; `provenance.document` evidences the home region."""
        self._allowed("assess")
        require_document(provenance, "the evidence of her home region")
        self._assessed(
            home_region=home_region,
            path=path,
            notes=sealer.seal(KeyPurpose.CASEFILE, "assessment_notes", notes) if notes else None,
            **provenance.event_fields(),
        )

    @event(Assessed)
    def _assessed(
        self,
        home_region: RegionRef,
        path: ReintegrationPath,
        notes: Sealed | None,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.home_region = home_region
        # Stored events give enums back as plain text; restore the type on every replay.
        self.path = ReintegrationPath(path)

    def send_to_training(
        self, *, site: Site, facility_id: str, rules: ProgrammeRules, provenance: Provenance
    ) -> None:
        """Record her departure for training at a registered facility."""
        self._allowed("send_to_training")
        if site.id != self.site_id:
            raise InvalidValue("the site given is not her site", field="site_id")
        if site.closed_on is None:
            raise SiteNotClosed("her site has not been closed yet", field="site_id")
        if provenance.occurred_on < site.closed_on:
            raise SiteNotClosed(
                f"her site closed on {site.closed_on}, after this departure", field="occurred_on"
            )
        facility = rules.facility(facility_id)
        if facility is None:
            raise TrainingFacilityUnknown("not a registered training facility", field="facility_id")
        self._sent_to_training(
            facility_id=facility.facility_id,
            facility_name=facility.name,
            facility_region=facility.region_code,
            **provenance.event_fields(),
        )

    @event(SentToTraining)
    def _sent_to_training(
        self,
        facility_id: str,
        facility_name: str,
        facility_region: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.facility_id = facility_id

    def complete_training(self, *, skill: str, provenance: Provenance) -> None:
        """Record completed training; `provenance.document` is the certificate."""
        self._allowed("complete_training")
        if not skill.strip():
            raise InvalidValue("the skill trained must be named", field="skill")
        # Kept in clear on her case for good (ADR 0041); her name is checked by the handler.
        require_no_personal_data(skill, field="skill")
        self._training_completed(skill=skill.strip(), **provenance.event_fields())

    @event(TrainingCompleted)
    def _training_completed(
        self,
        skill: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.training_completed = True

    def drop_out(self, *, provenance: Provenance) -> None:
        """Record that she left training early."""
        self._allowed("drop_out")
        require_reason(provenance)
        self._dropped_out(**provenance.event_fields())

    @event(TrainingDroppedOut)
    def _dropped_out(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        self.training_completed = False

    def confirm_return_home(
        self, *, confirming_kelurahan: RegionRef, provenance: Provenance
    ) -> None:
        """Record her arrival as confirmed by her home kelurahan."""
        self._allowed("confirm_return_home")
        require_document(provenance, "the home kelurahan's confirmation")
        self._returned_home(confirming_kelurahan=confirming_kelurahan, **provenance.event_fields())

    @event(ReturnedHome)
    def _returned_home(
        self,
        confirming_kelurahan: RegionRef,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        pass

    def accept_hand_over(
        self, *, unit: str, awaited_unit: str | None, provenance: Provenance
    ) -> None:
        """Record that `unit` accepted her case. `awaited_unit` is the unit the hand-over
        awaits, which the units' read model knows (ADR 0044): only that unit accepts."""
        self._allowed("accept_hand_over")
        if awaited_unit is None or unit != awaited_unit:
            raise HandOverNotAwaited(
                "no hand-over of this case awaits this unit's acceptance", field="unit"
            )
        self._hand_over_accepted(unit=unit, **provenance.event_fields())

    @event(HandOverAccepted)
    def _hand_over_accepted(
        self,
        unit: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        pass

    def stay_locally(self, *, provenance: Provenance) -> None:
        """Record that she stays locally under a signed statement."""
        self._allowed("stay_locally")
        require_document(provenance, "her signed statement")
        self._stayed_locally(**provenance.event_fields())

    @event(StayedLocally)
    def _stayed_locally(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass

    def record_bank_account(
        self,
        *,
        bank_code: str,
        account_number: str,
        holder_name: str,
        holder_name_matches: bool,
        sealer: Sealer,
        provenance: Provenance,
    ) -> None:
        """Record her account and its holder's name as the passbook prints it; the service
        compares that name with hers and checks that no one else uses the account (neither is
        ever in an error or a log)."""
        self._allowed("record_bank_account")
        require_document(provenance, "her passbook or the bank's letter")
        if not BANK_CODE.fullmatch(bank_code):
            raise InvalidValue("bank code must be 3 digits", field="bank_code")
        if not ACCOUNT_NUMBER.fullmatch(account_number):
            raise InvalidValue("account number must be 6 to 20 digits", field="account_number")
        holder = holder_name.strip()
        if not (0 < len(holder) <= HOLDER_NAME_MAX_LENGTH and holder.isprintable()):
            raise InvalidValue(
                f"holder name must be 1 to {HOLDER_NAME_MAX_LENGTH} printable characters",
                field="holder_name",
            )
        self._bank_account_recorded(
            bank_code=bank_code,
            account=sealer.seal(KeyPurpose.IDENTITY, "bank_account", account_number),
            holder_name_matches=holder_name_matches,
            holder_name=sealer.seal(KeyPurpose.IDENTITY, "bank_account_holder", holder),
            **provenance.event_fields(),
        )

    @event(BankAccountRecorded)
    def _bank_account_recorded(
        self,
        bank_code: str,
        account: Sealed,
        holder_name_matches: bool,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
        holder_name: Sealed | None = None,
    ) -> None:
        self.bank_code = bank_code
        self.bank_account = account
        self.bank_account_holder = holder_name
        self.account_holder_matches = holder_name_matches

    def include_in_decree(
        self,
        *,
        decree_id: UUID,
        decree_number: str,
        entitlement_ids: tuple[UUID, ...],
        provenance: Provenance,
    ) -> None:
        """Record that a decree named her; saved with the decree and its entitlements."""
        self._allowed("include_in_decree")
        self._aid_decreed(
            decree_id=decree_id,
            decree_number=decree_number,
            entitlement_ids=entitlement_ids,
            **provenance.event_fields(),
        )

    @event(AidDecreed)
    def _aid_decreed(
        self,
        decree_id: UUID,
        decree_number: str,
        entitlement_ids: tuple[UUID, ...],
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.entitlement_ids = (*self.entitlement_ids, *entitlement_ids)

    @property
    def arrival_confirmed(self) -> bool:
        """Her arrival home was confirmed, or her local stay recorded (G-B6)."""
        return "ReturnedHome" in self.milestones or "StayedLocally" in self.milestones

    @property
    def exit_state(self) -> str | None:
        """DECEASED or WITHDRAWN when her case ended that way; no money follows (G-B9)."""
        return self.state if self.state in ("DECEASED", "WITHDRAWN") else None

    def close_case(self, *, aid_settled: bool, provenance: Provenance) -> None:
        """Close the case (terminasi); `aid_settled` says every decreed entitlement is settled."""
        self._allowed("close_case")
        if not aid_settled:
            raise AidStillDue("some of her decreed aid is still in progress")
        self._case_closed(**provenance.event_fields())

    @event(CaseClosed)
    def _case_closed(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass

    def withdraw(self, *, provenance: Provenance) -> None:
        """Record that she withdrew from the programme."""
        self._allowed("withdraw")
        require_reason(provenance)
        self._withdrew(**provenance.event_fields())

    @event(BeneficiaryWithdrew)
    def _withdrew(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass

    def record_death(self, *, provenance: Provenance) -> None:
        """Record her death; `provenance.document` is the evidence."""
        self._allowed("record_death")
        require_document(provenance, "the evidence of death")
        self._died(**provenance.event_fields())

    @event(BeneficiaryDied)
    def _died(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass

    # --- corrections (ADR 0022) --------------------------------------------------------------

    def correct_details(
        self,
        *,
        name: str | None,
        phone: str | None,
        recorded_name: str | None,
        recorded_phone: str | None,
        sealer: Sealer,
        provenance: Provenance,
        name_and_birth_date_shared: bool | None = None,
    ) -> None:
        """Correct her name or phone; `recorded_*` are the values on record, opened by the
        service from her vault (None when unreadable), since the domain sees only ciphertext.
        What is not given, or equals the record, stays as recorded. The service moves her
        verified name in the duplicate index and says whether another case holds the
        corrected one (`name_and_birth_date_shared`)."""
        self.check_correction(provenance)
        if name is not None and not name.strip():
            raise InvalidValue("name must not be empty", field="name")
        new_name = name.strip() if name is not None and name.strip() != recorded_name else None
        check_phone(phone or None)
        new_phone = phone.strip() if phone and phone.strip() != recorded_phone else None
        if new_name is None and new_phone is None:
            raise NothingToCorrect("the details given are the ones recorded")
        previous = BeneficiaryDetails(self.name, self.phone)
        corrected = BeneficiaryDetails(
            sealer.seal(KeyPurpose.IDENTITY, "name", new_name) if new_name else self.name,
            sealer.seal(KeyPurpose.CASEFILE, "phone", new_phone) if new_phone else self.phone,
        )
        self._details_corrected(
            corrects_version=self.INITIAL_VERSION,
            previous=previous,
            corrected=corrected,
            name_and_birth_date_shared=name_and_birth_date_shared if new_name else None,
            **provenance.event_fields(),
        )

    @event(BeneficiaryDetailsCorrected)
    def _details_corrected(
        self,
        corrects_version: int,
        previous: BeneficiaryDetails,
        corrected: BeneficiaryDetails,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
        # Last and defaulted: a correction stored before the field existed replays without it.
        name_and_birth_date_shared: bool | None = None,
    ) -> None:
        self.name = corrected.name
        self.phone = corrected.phone

    def correct_date(
        self,
        *,
        corrects_version: int,
        corrected_date: date,
        site: Site,
        provenance: Provenance,
        birth_date: date | None = None,
    ) -> None:
        """Correct the business date of an earlier event; a departure still follows the
        closure of her site, and her age on a corrected pendataan date is what verification or
        the referral found. `birth_date` is her recorded birth date, opened by the service from
        her vault (None when none is recorded or its key was erased)."""
        fields = self.date_correction(corrects_version, corrected_date, provenance)
        if fields["corrected_event"] == "BeneficiaryRegistered":
            self._check_age_on(corrected_date, birth_date)
        if fields["corrected_event"] == "SentToTraining":
            if site.id != self.site_id:
                raise InvalidValue("the site given is not her site", field="site_id")
            if site.closed_on is None or corrected_date < site.closed_on:
                raise SiteNotClosed(
                    f"her site closed on {site.closed_on}, after this departure",
                    field="corrected_date",
                )
        self._date_corrected(**fields)

    def _check_age_on(self, pendataan_on: date, birth_date: date | None) -> None:
        """The age rule at pendataan, on a corrected pendataan date: a woman verified as an
        adult stays one, and a girl referred to child protection stays a minor."""
        if self.minor_at_pendataan is None:
            return  # no birth date recorded yet: verification will check it on this date
        if birth_date is None:
            raise BirthDateErased(
                "her birth date has been erased, so a corrected pendataan date cannot be "
                "checked against her age",
                field="corrected_date",
            )
        minor = age_on(birth_date, pendataan_on) < ADULT_AGE
        if minor and not self.minor_at_pendataan:
            raise BeneficiaryIsMinor(
                f"she would be under 18 on {pendataan_on}, and was verified as an adult",
                field="corrected_date",
            )
        if self.minor_at_pendataan and not minor:
            raise NotAMinor(
                f"she would be 18 or over on {pendataan_on}, and was referred as a minor",
                field="corrected_date",
            )

    @event(BeneficiaryDateCorrected)
    def _date_corrected(
        self,
        corrects_version: int,
        corrected_event: str,
        previous_date: date,
        corrected_date: date,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.apply_date_correction(corrects_version, corrected_date)
        self.pendataan_on = self.facts[self.INITIAL_VERSION].occurred_on

    def correct_document(
        self, *, corrects_version: int, corrected_document: DocumentRef, provenance: Provenance
    ) -> None:
        """Correct the document reference of an earlier event (a certificate, a confirmation)."""
        self._document_corrected(
            **self.document_correction(corrects_version, corrected_document, provenance)
        )

    @event(BeneficiaryDocumentCorrected)
    def _document_corrected(
        self,
        corrects_version: int,
        corrected_event: str,
        previous_document: DocumentRef | None,
        corrected_document: DocumentRef,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.apply_document_correction(corrects_version, corrected_document)


__all__ = [
    "CASE_NUMBER",
    "MAX_AMOUNT",
    "Beneficiary",
    "BeneficiaryDetails",
    "BeneficiaryIsMinor",
    "BirthDateErased",
    "DocumentRequired",
    "ExclusionReason",
    "GrantNeedsCompletedTraining",
    "IdentityChecks",
    "IdentityEvidence",
    "NikAlreadyInProgramme",
    "NotAMinor",
    "ReasonRequired",
    "ReintegrationPath",
    "SiteNotClosed",
    "TrainingFacilityUnknown",
]
