"""The figures of a published report, folded from the log (ADR 0021). Pure: no I/O.

`programme_figures` reports, per site and for the whole programme, for one period:

- as at the period's end: the site's state and headcounts, and how many cases stood in each
  state. A case or site is taken as `GET /api/time-travel/aggregates/{id}?as_at=END` takes it:
  its own events in their order, up to the first one dated after the end;
- in the period: the steps dated in it (registered, verified, trained, returned home, closed,
  exits, sosialisasi held...), counted by their business date;
- money in the period: rupiah credited and returned to the treasury, dated in it, per site (and
  without a site, for compensation payees), with the net paid per aid component and how many
  recipients were credited. Each money event counts as `payment_ledger` counts it (the same
  fold), so the report cannot disagree with the ledger about an event.

The events are read "as known at" a log position: the figures carry that position, and the
same events give the same figures, so the same canonical JSON and the same SHA-256. No sealed
field is read: the figures are counts, rupiah, states, site codes and names.

Corrections (ADR 0022) are folded: the figures are those this fold gives on the *corrected
log*, the same events in the same log order with each corrected fact (a site's name or
headcount at pendataan, the business date of a site's or a case's event) replaced by its latest
correction recorded up to the cut, and the correction events themselves contributing nothing
else. So a corrected date moves a step in or out of the period and moves the cut "up to the
first one dated after the end", and a corrected name or headcount is the one shown. Money
corrections are the ledger's own lines (`fold_ledger`).

To fold that one event at a time, each site and each case keeps its own timeline, the facts
of its events as corrected so far (`_Line`), and what the timeline adds to its site's figures.
An ordinary event extends the timeline; a correction replays that one timeline, and the site's
figures lose what it added before and gain what it adds now: exact, and as costly as the
aggregate's own events.

The fold also says which figures each event feeds (`sources`): the figures it moved, a
correction's included, so a comparison can name the events recorded after a publication that
changed it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, ClassVar

from eventsourcing.utils import get_topic

from domain.beneficiary import Beneficiary
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE, OUT_OF_PROGRAMME_STATES
from domain.corrections import CorrectionEvent, DateCorrection
from domain.decree import AidComponent
from domain.entitlement import Entitlement
from domain.lifecycle import Lifecycle
from domain.published_report import ABOUT, Period, ReportKind
from domain.site import SITE_LIFECYCLE, Site
from projections.base import PositionedEvent
from projections.cases import NO_CASES
from projections.entitlement_status import entitlement_label
from projections.payment_ledger import LEDGER_EVENTS, LedgerState, fold_ledger
from projections.site_status import SITE_EVENTS

# Raised whenever a change to the fold changes what the figures say; stated in the figures.
# 2: corrections of sites' and cases' facts are folded (ADR 0021, amended).
FIGURES_VERSION = 2

CASE_EVENTS = BENEFICIARY_LIFECYCLE.event_names
# The corrections of facts the figures read; the others (documents, her sealed name) move none.
FACT_CORRECTIONS = frozenset(
    {"SiteDetailsCorrected", "SiteDateCorrected", "BeneficiaryDateCorrected"}
)
# Every event the fold reads, so a reader may give it those alone.
FIGURE_EVENTS = (
    frozenset(t.event for t in (*SITE_LIFECYCLE.transitions, *BENEFICIARY_LIFECYCLE.transitions))
    | FACT_CORRECTIONS
    | LEDGER_EVENTS
)
# Their stored topics, for a reader choosing them in the event store's own query.
FIGURE_TOPICS = sorted(
    get_topic(member)
    for aggregate in (Site, Beneficiary, Entitlement)
    for name in FIGURE_EVENTS
    if isinstance(member := getattr(aggregate, name, None), type)
)
CASE_STATES = tuple(s.name for s in BENEFICIARY_LIFECYCLE.states)
# The steps counted in the period, by the event that records each.
STEPS = {
    "SiteRegistered": "sites_registered",
    "SosialisasiHeld": "sosialisasi_held",
    "ClosureDecreed": "closures_decreed",
    "SiteClosed": "sites_closed",
    "PostClosureInspected": "inspections",
    "BeneficiaryRegistered": "registered",
    "IdentityVerified": "identity_verified",
    "Assessed": "assessed",
    "SentToTraining": "sent_to_training",
    "TrainingCompleted": "training_completed",
    "TrainingDroppedOut": "training_dropped_out",
    "ReturnedHome": "returned_home",
    "StayedLocally": "stayed_locally",
    "CaseClosed": "cases_closed",
    "BeneficiaryExcluded": "excluded",
    "ReferredToChildProtection": "referred_to_child_protection",
    "BeneficiaryWithdrew": "withdrew",
    "BeneficiaryDied": "died",
}
COMPONENTS = tuple(c.value for c in AidComponent)
# Figures of a site that the programme's totals do not add up.
SITE_ONLY = ("site_name", "site_state_at_end")
# Figures of a site that its own timeline states (the others are counts its cases add up).
SITE_STANDING = (
    "site_name",
    "site_state_at_end",
    "headcount_at_pendataan",
    "declared_headcount_at_closure",
)


@dataclass
class _Money:
    credited: int = 0
    returned: int = 0
    net_paid: int = 0
    by_component: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COMPONENTS, 0))
    recipients: set[str] = field(default_factory=set)

    def figures(self) -> dict[str, Any]:
        return {
            "credited": self.credited,
            "returned": self.returned,
            "net_paid": self.net_paid,
            "net_paid_by_component": dict(self.by_component),
            "recipients_credited": len(self.recipients),
        }


@dataclass
class _Site:
    """One site's figures: what its own timeline states (`standing`, by `SITE_STANDING`
    name), the counts its own and its cases' timelines add up (`counts`, by dotted name
    within the site: `cases_at_end.CLOSED`, `in_period.registered`), and its money."""

    code: str
    standing: dict[str, Any]
    counts: Counter[str] = field(default_factory=Counter)
    money: _Money = field(default_factory=_Money)

    def reported(self) -> bool:
        """Whether the site has anything to report for the period: registered by its end, or
        a case, a step or a rupiah counted for it (a site registered later has nothing)."""
        return (
            self.standing.get("site_state_at_end") is not None
            or any(self.counts.values())
            or bool(self.money.recipients or self.money.returned)
        )


@dataclass(frozen=True)
class _Fact:
    """What the figures read of one event of a site or a case, as corrected so far."""

    event: str
    on: date
    headcount: int | None = None  # see HEADCOUNTS


# The events that count heads, and the figure of the site each count is.
HEADCOUNTS = {
    "SiteRegistered": "headcount_at_pendataan",
    "SiteClosed": "declared_headcount_at_closure",
}


@dataclass
class _Line(ABC):
    """A site's or a case's own events, in their order, as corrected so far (`facts`, by
    aggregate version), and where they leave it as at the period's end: its state and
    headcounts, while its events are still dated by then (`open`), and the steps dated in the
    period."""

    lifecycle: ClassVar[Lifecycle]

    site_id: str
    label: str
    facts: dict[int, _Fact] = field(default_factory=dict)
    state: str | None = None
    open: bool = True
    headcounts: dict[str, int | None] = field(default_factory=dict)
    steps: Counter[str] = field(default_factory=Counter)

    def take(self, version: int, fact: _Fact, period: Period) -> None:
        """The next event of the aggregate, in log order."""
        self.facts[version] = fact
        self._fold(fact, period)

    def correct(self, correction: Any) -> bool:
        """Fold a correction into the facts; False when it corrects none the figures read."""
        if not isinstance(correction, DateCorrection):
            return False
        fact = self.facts.get(correction.corrects_version)
        if fact is None:
            return False
        self.facts[correction.corrects_version] = replace(fact, on=correction.corrected_date)
        return True

    def replay(self, period: Period) -> None:
        """Fold the facts again from the first, as they stand now."""
        self.state, self.open, self.headcounts, self.steps = None, True, {}, Counter()
        for fact in self.facts.values():  # inserted in version order, kept there by `replace`
            self._fold(fact, period)

    def _fold(self, fact: _Fact, period: Period) -> None:
        if self.open and fact.on > period.end:
            self.open = False
        if self.open:
            self.state = self.lifecycle.folded_target(fact.event, self.state)
            if fact.event in HEADCOUNTS:
                self.headcounts[HEADCOUNTS[fact.event]] = fact.headcount
        step = STEPS.get(fact.event)
        if step is not None and period.contains(fact.on):
            self.steps[f"in_period.{step}"] += 1

    @abstractmethod
    def figures(self) -> dict[str, Any]:
        """What the timeline adds to its site's figures, by dotted name within the site."""


@dataclass
class _SiteLine(_Line):
    lifecycle = SITE_LIFECYCLE
    name: str = ""

    def correct(self, correction: Any) -> bool:
        if not isinstance(correction, Site.SiteDetailsCorrected):
            return super().correct(correction)
        details = correction.corrected
        self.name = details.name
        registered = self.facts[correction.corrects_version]
        self.facts[correction.corrects_version] = replace(
            registered, headcount=details.headcount_at_pendataan
        )
        return True

    def figures(self) -> dict[str, Any]:
        return {
            "site_name": self.name,
            "site_state_at_end": self.state,
            **self.headcounts,
            **self.steps,
        }


@dataclass
class _CaseLine(_Line):
    lifecycle = BENEFICIARY_LIFECYCLE

    def figures(self) -> dict[str, Any]:
        standing: dict[str, Any] = dict(self.steps)
        if self.state is not None:
            standing |= {
                "registered_by_end": 1,
                f"cases_at_end.{self.state}": 1,
                "in_programme_at_end": int(self.state not in OUT_OF_PROGRAMME_STATES),
            }
        return standing


class FigureFold:
    """The programme's figures for `period`, one event at a time, in log order.

    `trace_after`: the position after which `sources` records, per event, the figures it fed
    (None: nothing is traced).
    """

    def __init__(self, period: Period, trace_after: int | None = None) -> None:
        self.period = period
        self.trace_after = trace_after
        self.sources: dict[int, set[str]] = {}
        self.position = 0
        self._sites: dict[str, _Site] = {}
        self._site_lines: dict[str, _SiteLine] = {}
        self._cases: dict[str, _CaseLine] = {}
        self._ledger = LedgerState()
        self._unsited = _Money()

    def add(self, event: PositionedEvent) -> None:
        """Fold one event, the next in log order."""
        self.position = event.position
        e = event.event
        key = str(e.originator_id)
        line: _Line
        if event.name in SITE_EVENTS:
            if isinstance(e, Site.SiteRegistered):
                self._site_lines[key] = _SiteLine(key, e.code, name=e.name)
            line = self._site_lines[key]
        elif event.name in CASE_EVENTS:
            if isinstance(e, Beneficiary.BeneficiaryRegistered):
                self._cases[key] = _CaseLine(str(e.site_id), e.case_number)
            line = self._cases[key]
        else:
            for row in fold_ledger(self._ledger, (event,), NO_CASES):
                self._money(event, row)
            return
        before = line.figures()
        if isinstance(e, CorrectionEvent):
            if not line.correct(e):
                return
            line.replay(self.period)
        else:
            line.take(e.originator_version, _fact(event), self.period)
        self._restate(event, line, before)

    def fold(self, events: Iterable[PositionedEvent]) -> FigureFold:
        """Fold `events` in order; returns the fold."""
        for event in events:
            self.add(event)
        return self

    def subject(self, event: PositionedEvent) -> str | None:
        """How people name what `event` happened to: a site code, a case number, or an
        aid component of a case (`TRK-JP-0003 UEP-1`); None for anything else."""
        key = str(event.event.originator_id)
        if event.name in SITE_EVENTS:
            return self._site_lines[key].label
        if event.name in CASE_EVENTS:
            return self._cases[key].label
        row = self._ledger.latest.get(key)
        if row is None:
            return None
        case = self._cases.get(row["beneficiary_id"] or "")
        return entitlement_label(
            case.label if case else None, "payee", row["component"], row["tranche"]
        )

    def content(self, known_at: int | None = None) -> dict[str, Any]:
        """The figures as known at log position `known_at` (by default the last position
        folded); the events folded must be those recorded up to it."""
        reported = [site for _, site in sorted(self._sites.items()) if site.reported()]
        sites = {site.code: _site_figures(site) for site in reported}
        recipients = set(self._unsited.recipients)
        for site in reported:
            recipients |= site.money.recipients
        programme = _add_up([_site_figures(_Site("-", {})), *sites.values()])
        programme["money_in_period"] = _add_up(
            [programme["money_in_period"], self._unsited.figures()]
        ) | {"recipients_credited": len(recipients)}
        for figure in SITE_ONLY:
            del programme[figure]
        return {
            "report_kind": ReportKind.PROGRAMME_FIGURES.value,
            "figures_version": FIGURES_VERSION,
            "period": self.period.as_dict(),
            "known_at_position": self.position if known_at is None else known_at,
            "sites": sites,
            "without_site": {"money_in_period": self._unsited.figures()},
            "programme": programme,
        }

    # --- sites and cases --------------------------------------------------------------------

    def _site(self, site_id: str) -> _Site:
        line = self._site_lines.get(site_id)
        code = line.label if line else site_id
        if code not in self._sites:
            # A site not registered (yet) is named by its id.
            self._sites[code] = _Site(code, {"site_name": line.name if line else site_id})
        return self._sites[code]

    def _restate(self, event: PositionedEvent, line: _Line, before: Mapping[str, Any]) -> None:
        """The site's figures lose what `line` added `before` and gain what it adds now;
        the figures that moved are fed by `event`."""
        after = line.figures()
        moved = [k for k in before.keys() | after.keys() if before.get(k) != after.get(k)]
        if not moved:
            return
        site = self._site(line.site_id)
        was_reported = site.reported()
        for key in moved:
            if key in SITE_STANDING:
                site.standing[key] = after.get(key)
            else:
                site.counts[key] += after.get(key, 0) - before.get(key, 0)
        self._feed(event, site, was_reported, moved)

    # --- money ------------------------------------------------------------------------------

    def _money(self, event: PositionedEvent, row: Mapping[str, Any]) -> None:
        occurred_on: date = row["occurred_on"]
        if not row["paid_effect"] or not self.period.contains(occurred_on):
            return
        site_id = row["site_id"]
        site = None if site_id is None else self._site(site_id)
        was_reported = site is not None and site.reported()
        money = self._unsited if site is None else site.money
        figure = "money_in_period"
        fed = []
        # An approved correction moves what it corrects by the difference, as the ledger's
        # paid effect does: a credit's into `credited`, a return's into `returned`. Only a
        # credit itself brings a new recipient.
        credit = isinstance(event.event, Entitlement.CreditedToAccount)
        if credit or _corrects(event, "CreditedToAccount"):
            money.credited += row["paid_effect"]
            fed.append(f"{figure}.credited")
            recipient = row["beneficiary_id"] or row["entitlement_id"]
            if credit and recipient not in money.recipients:
                money.recipients.add(recipient)
                fed.append(f"{figure}.recipients_credited")
        else:
            money.returned -= row["paid_effect"]
            fed.append(f"{figure}.returned")
        money.net_paid += row["paid_effect"]
        money.by_component[row["component"]] += row["paid_effect"]
        fed.append(f"{figure}.net_paid")
        fed.append(f"{figure}.net_paid_by_component.{row['component']}")
        self._feed(event, site, was_reported, fed)

    def _feed(
        self, event: PositionedEvent, site: _Site | None, was_reported: bool, figures: list[str]
    ) -> None:
        """Note that `event` fed `figures` of `site` (None: the money without a site), which
        was or was not in the report before it."""
        if self.trace_after is None or event.position <= self.trace_after:
            return
        if site is None:
            block = "without_site"
        else:
            block = f"sites.{site.code}"
            reported = site.reported()
            if not (was_reported or reported):
                return  # a site not in the report before or after: nothing shown moved
            if reported != was_reported:
                # A site coming into the report (or leaving it) brings every figure of it.
                figures = [*figures, *SITE_FIGURES]
        fed = self.sources.setdefault(event.position, set())
        for figure in figures:
            fed.add(f"{block}.{figure}")
            if figure not in SITE_ONLY:
                fed.add(f"programme.{figure}")


def _fact(event: PositionedEvent) -> _Fact:
    e = event.event
    headcount: int | None = None
    if isinstance(e, Site.SiteRegistered):
        headcount = e.headcount_at_pendataan
    elif isinstance(e, Site.SiteClosed):
        headcount = e.declared_headcount
    return _Fact(event.name, e.occurred_on, headcount)


def _corrects(event: PositionedEvent, kind: str) -> bool:
    """Whether `event` is an approved money correction of an event of `kind`."""
    e = event.event
    return isinstance(e, Entitlement.MoneyCorrectionApproved) and e.corrected_event == kind


def programme_figures(
    events: Iterable[PositionedEvent], period: Period, known_at: int | None = None
) -> dict[str, Any]:
    """The programme's figures for `period` from `events`: the log in order, up to the
    position `known_at` (by default the last event's)."""
    return FigureFold(period).fold(events).content(known_at)


def flatten(content: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every figure by its dotted name (`sites.TRK-JP.in_period.training_completed`), leaving
    out what the figures say about themselves."""
    flat: dict[str, Any] = {}
    for key, value in content.items():
        if not prefix and key in ABOUT:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat |= flatten(value, f"{name}.")
        else:
            flat[name] = value
    return flat


def _site_figures(site: _Site) -> dict[str, Any]:
    counts = site.counts
    return {
        **{name: site.standing.get(name) for name in SITE_STANDING},
        "registered_by_end": counts["registered_by_end"],
        "in_programme_at_end": counts["in_programme_at_end"],
        "cases_at_end": {state: counts[f"cases_at_end.{state}"] for state in CASE_STATES},
        "in_period": {step: counts[f"in_period.{step}"] for step in STEPS.values()},
        "money_in_period": site.money.figures(),
    }


SITE_FIGURES = tuple(flatten(_site_figures(_Site("-", {}))))


def _add_up(groups: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Figures of the same shape added up, figure by figure."""
    total: dict[str, Any] = {}
    for group in groups:
        for key, value in group.items():
            if isinstance(value, Mapping):
                total[key] = _add_up([total.get(key, {}), value])
            elif isinstance(value, int):
                total[key] = (total.get(key) or 0) + value
            else:
                total.setdefault(key, 0)
    return total
