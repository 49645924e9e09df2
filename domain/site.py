"""The Site aggregate: a lokalisasi from pendataan through closure to post-closure monitoring."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.corrections import (
    CORRECTION_GUARDS,
    IN_ORDER_AFTER_CORRECTION,
    Correctable,
    CorrectionEvent,
    DateCorrection,
    DocumentCorrection,
    NothingToCorrect,
    RecordedFact,
)
from domain.errors import InvalidValue, RuleViolation
from domain.free_text import require_no_personal_data
from domain.identity import default_registry
from domain.lifecycle import (
    SUPERVISOR_ONLY,
    Correction,
    Deadline,
    Lifecycle,
    StateSpec,
    Transition,
)
from domain.recording import Actor, DocumentKind, DocumentRef, Provenance, RegionRef

# ASCII only, and fullmatch: a trailing newline or look-alike digits must not pass.
SITE_CODE = re.compile(r"[A-Z]{2,4}-[A-Z]{2,4}", re.ASCII)

SITE_LIFECYCLE = Lifecycle(
    aggregate="Site",
    states=(
        StateSpec("REGISTERED", "Mapped and counted at pendataan", next_action="hold_sosialisasi"),
        StateSpec(
            "SOCIALISED",
            "Sosialisasi held; awaiting a closure decree",
            next_action="decree_closure",
        ),
        StateSpec(
            "CLOSURE_DECREED",
            "Closure decreed; awaiting the closure itself",
            next_action="close_site",
        ),
        StateSpec(
            "CLOSED", "Closed; awaiting the first inspection", next_action="record_inspection"
        ),
        StateSpec(
            "MONITORED", "Closed and inspected periodically", next_action="record_inspection"
        ),
    ),
    transitions=(
        Transition("register_site", "SiteRegistered", None, "REGISTERED"),
        Transition("hold_sosialisasi", "SosialisasiHeld", ("REGISTERED",), "SOCIALISED"),
        # A further session's minutes may be entered after a later step; only the pendataan
        # must come first.
        Transition(
            "hold_sosialisasi",
            "SosialisasiHeld",
            ("SOCIALISED", "CLOSURE_DECREED"),
            None,
            follows=("SiteRegistered",),
        ),
        Transition(
            "decree_closure",
            "ClosureDecreed",
            ("REGISTERED", "SOCIALISED"),
            "CLOSURE_DECREED",
            roles=SUPERVISOR_ONLY,
            guards=("decree number, date and signing authority recorded",),
        ),
        Transition(
            "close_site",
            "SiteClosed",
            ("CLOSURE_DECREED",),
            "CLOSED",
            guards=(
                "SITE_CLOSURE_BEFORE_DECREE: not before the decree date",
                "SITE_CLOSURE_NEEDS_SOSIALISASI: a sosialisasi on or before the closure date",
                "SITE_CLOSURE_NEEDS_BERITA_ACARA: the berita acara as the document",
            ),
            documents=(DocumentKind.BERITA_ACARA,),
        ),
        # Inspection reports may arrive out of turn; none may predate the closure.
        Transition(
            "record_inspection",
            "PostClosureInspected",
            ("CLOSED", "MONITORED"),
            "MONITORED",
            follows=("SiteClosed",),
        ),
    ),
    deadlines=(
        Deadline(
            "site_sosialisasi_days",
            ("REGISTERED",),
            ("SiteRegistered",),
            365,
            "Hold a sosialisasi within this many days of pendataan",
        ),
        Deadline(
            "site_closure_after_decree_days",
            ("CLOSURE_DECREED",),
            ("ClosureDecreed",),
            30,
            "Close the site within this many days of the decree",
        ),
        Deadline(
            "site_first_inspection_days",
            ("CLOSED",),
            ("SiteClosed",),
            30,
            "Inspect a closed site within this many days of closure",
        ),
        Deadline(
            "site_inspection_interval_days",
            ("MONITORED",),
            ("PostClosureInspected",),
            90,
            "Inspect again within this many days of the last inspection",
        ),
    ),
    corrections=(
        Correction(
            "correct_site_details",
            "SiteDetailsCorrected",
            guards=(*CORRECTION_GUARDS, "name, aliases, kelurahan, headcount at pendataan"),
        ),
        Correction(
            "correct_site_date",
            "SiteDateCorrected",
            guards=(
                *CORRECTION_GUARDS,
                IN_ORDER_AFTER_CORRECTION,
                "SITE_CLOSURE_BEFORE_DECREE: the closure still not before the decree",
                "SITE_CLOSURE_NEEDS_SOSIALISASI: still a sosialisasi on or before the closure",
                "INVALID_VALUE: no inspection before the closure",
            ),
        ),
        Correction(
            "correct_site_document",
            "SiteDocumentCorrected",
            guards=(*CORRECTION_GUARDS, "a decree's number follows its corrected document"),
        ),
    ),
)


@dataclass(frozen=True)
class SiteDetails:
    """What pendataan recorded of a site besides its code, which is its identity."""

    name: str
    aliases: tuple[str, ...]
    kelurahan: RegionRef
    headcount_at_pendataan: int

    @classmethod
    def checked(
        cls, name: str, aliases: tuple[str, ...], kelurahan: RegionRef, headcount: int
    ) -> SiteDetails:
        """The details, trimmed, or InvalidValue naming the field that breaks a rule."""
        if not name.strip():
            raise InvalidValue("site name must not be empty", field="name")
        if headcount < 0:
            raise InvalidValue("headcount must be zero or more", field="headcount_at_pendataan")
        return cls(
            name.strip(), tuple(a.strip() for a in aliases if a.strip()), kelurahan, headcount
        )


def _check_site_texts(name: str, aliases: tuple[str, ...]) -> None:
    """A site's name and aliases are kept in clear (ADR 0041): no number that could be a
    person's. A site may be known by its owner's name, so words are not refused."""
    require_no_personal_data(name, field="name")
    for alias in aliases:
        require_no_personal_data(alias, field="aliases")


def require_known_kelurahan(kelurahan: RegionRef) -> None:
    """Raise InvalidValue on "kelurahan" unless it is a Kemendagri kelurahan or desa code of
    the region tables (current or historic): a site is tied to one real kelurahan (G-S6)."""
    if not default_registry().is_known_village(kelurahan.scheme, kelurahan.code):
        raise InvalidValue(
            "kelurahan must be a Kemendagri kelurahan or desa code in the region tables",
            field="kelurahan",
        )


class InspectionOutcome(StrEnum):
    """What a post-closure inspection found."""

    QUIET = "quiet"
    ACTIVITY_FOUND = "activity_found"


class FundingStatus(StrEnum):
    """Whether the programme's funds were in place when the site closed (an unfunded closure
    keeps its residents waiting for aid). `UNKNOWN` when the berita acara does not say."""

    IN_PLACE = "in_place"
    NOT_IN_PLACE = "not_in_place"
    UNKNOWN = "unknown"


class ClosureBeforeDecree(RuleViolation):
    """Raised when a closure is dated before the decree that orders it."""

    code = "SITE_CLOSURE_BEFORE_DECREE"


class ClosureNeedsSosialisasi(RuleViolation):
    """Raised when a site is closed without a sosialisasi held on or before the closure date."""

    code = "SITE_CLOSURE_NEEDS_SOSIALISASI"


class ClosureNeedsBeritaAcara(RuleViolation):
    """Raised when a closure is recorded without its berita acara as the supporting document."""

    code = "SITE_CLOSURE_NEEDS_BERITA_ACARA"


class Site(Correctable):
    """A lokalisasi; its id derives from its short code so a code can be registered only once."""

    lifecycle = SITE_LIFECYCLE

    class SiteRegistered(LifecycleAggregate.Created):
        """The site was mapped and its residents counted (pendataan)."""

        code: str
        name: str
        aliases: tuple[str, ...]
        kelurahan: RegionRef
        headcount_at_pendataan: int

    class SosialisasiHeld(LifecycleAggregate.Event):
        """An information session was held for residents, pengelola and neighbours."""

        venue: str
        attendance: int
        facilitators: tuple[str, ...]

    class ClosureDecreed(LifecycleAggregate.Event):
        """The head of region decreed the closure; `document` is the decree."""

        decree_number: str
        signing_authority: str

    class SiteClosed(LifecycleAggregate.Event):
        """The site was closed; `document` is the berita acara."""

        declared_headcount: int
        funding_status: FundingStatus

        # v1 stored `funds_in_place: bool`, which forced a yes or no where the berita acara
        # is silent. Stored v1 events are upcast on read and never rewritten (ADR 0019).
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            funded = state.pop("funds_in_place")
            state["funding_status"] = (
                FundingStatus.IN_PLACE if funded else FundingStatus.NOT_IN_PLACE
            ).value

    class PostClosureInspected(LifecycleAggregate.Event):
        """Someone checked a closed site for renewed activity."""

        outcome: InspectionOutcome

    class SiteDetailsCorrected(CorrectionEvent):
        """Registration details recorded wrongly were corrected (`corrects_version` is 1)."""

        previous: SiteDetails
        corrected: SiteDetails

    class SiteDateCorrected(DateCorrection):
        """The business date of an earlier event was recorded wrongly."""

    class SiteDocumentCorrected(DocumentCorrection):
        """The document reference of an earlier event was recorded wrongly."""

    @staticmethod
    def create_id(code: str) -> UUID:
        """Deterministic id, so registering the same code twice fails atomically."""
        return uuid5(NAMESPACE_URL, f"jejak:site:{code}")

    @classmethod
    def register(
        cls,
        *,
        code: str,
        name: str,
        aliases: tuple[str, ...],
        kelurahan: RegionRef,
        headcount_at_pendataan: int,
        provenance: Provenance,
    ) -> Site:
        """Register a site counted at pendataan on `provenance.occurred_on`."""
        if not SITE_CODE.fullmatch(code):
            raise InvalidValue(
                "site code must look like TRK-JP (letters, one hyphen)", field="code"
            )
        details = SiteDetails.checked(name, aliases, kelurahan, headcount_at_pendataan)
        _check_site_texts(name, aliases)
        require_known_kelurahan(kelurahan)
        return cls(
            code=code,
            name=details.name,
            aliases=details.aliases,
            kelurahan=details.kelurahan,
            headcount_at_pendataan=details.headcount_at_pendataan,
            **provenance.event_fields(),
        )

    @event(SiteRegistered)
    def __init__(
        self,
        code: str,
        name: str,
        aliases: tuple[str, ...],
        kelurahan: RegionRef,
        headcount_at_pendataan: int,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.code = code
        self.name = name
        self.aliases = tuple(aliases)
        self.kelurahan = kelurahan
        self.headcount_at_pendataan = headcount_at_pendataan
        self.pendataan_on = occurred_on
        self.sosialisasi_dates: list[date] = []
        self.decreed_on: date | None = None
        self.decree_number: str | None = None
        self.closed_on: date | None = None
        self.declared_headcount: int | None = None
        self.funding_status: FundingStatus | None = None
        self.last_inspection: InspectionOutcome | None = None

    def hold_sosialisasi(
        self,
        *,
        venue: str,
        attendance: int,
        facilitators: tuple[str, ...],
        provenance: Provenance,
    ) -> None:
        """Record a sosialisasi; `provenance.document` is its minutes."""
        self._allowed("hold_sosialisasi")
        if not venue.strip():
            raise InvalidValue("venue must not be empty", field="venue")
        # The venue and the facilitators are kept in clear (ADR 0041). Facilitators are staff
        # and community figures, named in clear on purpose: only the number patterns apply.
        require_no_personal_data(venue, field="venue")
        for facilitator in facilitators:
            require_no_personal_data(facilitator, field="facilitators")
        if attendance < 0:
            raise InvalidValue("attendance must be zero or more", field="attendance")
        self._sosialisasi_held(
            venue=venue.strip(),
            attendance=attendance,
            facilitators=facilitators,
            **provenance.event_fields(),
        )

    @event(SosialisasiHeld)
    def _sosialisasi_held(
        self,
        venue: str,
        attendance: int,
        facilitators: tuple[str, ...],
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.sosialisasi_dates.append(occurred_on)

    def decree_closure(
        self, *, decree_number: str, signing_authority: str, provenance: Provenance
    ) -> None:
        """Record the closure decree (SK or letter); `provenance.document` is the decree."""
        self._allowed("decree_closure")
        if not decree_number.strip():
            raise InvalidValue("decree number must not be empty", field="decree_number")
        if not signing_authority.strip():
            raise InvalidValue("the signing authority must be named", field="signing_authority")
        # An official, named in clear on purpose: only the number patterns apply (ADR 0041).
        require_no_personal_data(signing_authority, field="signing_authority")
        self._closure_decreed(
            decree_number=decree_number.strip(),
            signing_authority=signing_authority.strip(),
            **provenance.event_fields(),
        )

    @event(ClosureDecreed)
    def _closure_decreed(
        self,
        decree_number: str,
        signing_authority: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.decreed_on = occurred_on
        self.decree_number = decree_number

    def close(
        self,
        *,
        declared_headcount: int,
        funding_status: FundingStatus,
        provenance: Provenance,
    ) -> None:
        """Close the site on `provenance.occurred_on`, as its berita acara declares."""
        self._allowed("close_site")
        _check_closure_dates(provenance.occurred_on, self.decreed_on, self.sosialisasi_dates)
        if provenance.document is None:
            raise ClosureNeedsBeritaAcara(
                "the berita acara of the closure is required", field="document"
            )
        if provenance.document.kind not in SITE_LIFECYCLE.documents_for("close_site"):
            raise ClosureNeedsBeritaAcara(
                "the closure's document must be its berita acara", field="document.kind"
            )
        if declared_headcount < 0:
            raise InvalidValue("headcount must be zero or more", field="declared_headcount")
        self._site_closed(
            declared_headcount=declared_headcount,
            funding_status=FundingStatus(funding_status),
            **provenance.event_fields(),
        )

    @event(SiteClosed)
    def _site_closed(
        self,
        declared_headcount: int,
        funding_status: FundingStatus,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.closed_on = occurred_on
        self.declared_headcount = declared_headcount
        # Stored events give enums back as plain text; restore the type on every replay.
        self.funding_status = FundingStatus(funding_status)

    def record_inspection(self, *, outcome: InspectionOutcome, provenance: Provenance) -> None:
        """Record a post-closure inspection."""
        self._allowed("record_inspection")
        assert self.closed_on is not None
        _check_inspection_dates(self.closed_on, [provenance.occurred_on])
        self._inspected(outcome=outcome, **provenance.event_fields())

    @event(PostClosureInspected)
    def _inspected(
        self,
        outcome: InspectionOutcome,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        # Stored events give enums back as plain text; restore the type on every replay.
        self.last_inspection = InspectionOutcome(outcome)

    @property
    def is_closed(self) -> bool:
        """True once the closure is recorded."""
        return self.closed_on is not None

    # --- corrections (ADR 0022) --------------------------------------------------------------

    @property
    def details(self) -> SiteDetails:
        """The registration details as corrected so far."""
        return SiteDetails(self.name, self.aliases, self.kelurahan, self.headcount_at_pendataan)

    def correct_details(
        self,
        *,
        name: str | None = None,
        aliases: tuple[str, ...] | None = None,
        kelurahan: RegionRef | None = None,
        headcount_at_pendataan: int | None = None,
        provenance: Provenance,
    ) -> None:
        """Correct registration details; what is not given stays as recorded."""
        self.check_correction(provenance)
        was = self.details
        corrected = SiteDetails.checked(
            was.name if name is None else name,
            was.aliases if aliases is None else aliases,
            was.kelurahan if kelurahan is None else kelurahan,
            was.headcount_at_pendataan
            if headcount_at_pendataan is None
            else headcount_at_pendataan,
        )
        if corrected == was:
            raise NothingToCorrect("the details given are the ones recorded")
        # Only what is given now: a name recorded before the check is not judged again.
        _check_site_texts(name or "", aliases or ())
        if kelurahan is not None:
            # Only a kelurahan given now is checked: a site registered before the full tables
            # (ADR 0036) may still have its name or headcount corrected.
            require_known_kelurahan(kelurahan)
        self._details_corrected(
            corrects_version=self.INITIAL_VERSION,
            previous=was,
            corrected=corrected,
            **provenance.event_fields(),
        )

    @event(SiteDetailsCorrected)
    def _details_corrected(
        self,
        corrects_version: int,
        previous: SiteDetails,
        corrected: SiteDetails,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.name = corrected.name
        self.aliases = tuple(corrected.aliases)
        self.kelurahan = corrected.kelurahan
        self.headcount_at_pendataan = corrected.headcount_at_pendataan

    def correct_date(
        self, *, corrects_version: int, corrected_date: date, provenance: Provenance
    ) -> None:
        """Correct the business date of an earlier event; the closure's guards still hold."""
        fields = self.date_correction(corrects_version, corrected_date, provenance)
        _check_site_dates(self, self.redated(corrects_version, corrected_date))
        self._date_corrected(**fields)

    @event(SiteDateCorrected)
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
        self.sosialisasi_dates = self.dates_of("SosialisasiHeld")
        self.decreed_on = self.latest_date_of("ClosureDecreed")
        self.closed_on = self.latest_date_of("SiteClosed")

    def correct_document(
        self, *, corrects_version: int, corrected_document: DocumentRef, provenance: Provenance
    ) -> None:
        """Correct the document reference of an earlier event (a decree's, a berita acara's)."""
        self._document_corrected(
            **self.document_correction(corrects_version, corrected_document, provenance)
        )

    @event(SiteDocumentCorrected)
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
        if corrected_event == "ClosureDecreed":
            # The decree is the document: its number is the decree number.
            self.decree_number = corrected_document.number


def _check_closure_dates(
    closed_on: date, decreed_on: date | None, sosialisasi: list[date], field: str = "occurred_on"
) -> None:
    """A closure is not before its decree and follows a sosialisasi held on or before it."""
    if decreed_on is not None and closed_on < decreed_on:
        raise ClosureBeforeDecree(
            f"closure on {closed_on} is before the decree of {decreed_on}", field=field
        )
    if not any(held <= closed_on for held in sosialisasi):
        raise ClosureNeedsSosialisasi(
            f"no sosialisasi was held on or before {closed_on}", field=field
        )


def _check_inspection_dates(
    closed_on: date, inspections: list[date], field: str = "occurred_on"
) -> None:
    if any(inspected < closed_on for inspected in inspections):
        raise InvalidValue("an inspection cannot precede the closure", field=field)


def _check_site_dates(site: Site, facts: dict[int, RecordedFact]) -> None:
    """The closure's date guards, checked on the dates a correction would leave."""
    closed_on = site.latest_date_of("SiteClosed", facts)
    if closed_on is None:
        return
    _check_closure_dates(
        closed_on,
        site.latest_date_of("ClosureDecreed", facts),
        site.dates_of("SosialisasiHeld", facts),
        "corrected_date",
    )
    _check_inspection_dates(
        closed_on, site.dates_of("PostClosureInspected", facts), "corrected_date"
    )
