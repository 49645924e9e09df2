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

The fold also says which figures each event feeds (`sources`), so a comparison can name the
events recorded after a publication that changed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.decree import AidComponent
from domain.published_report import ABOUT, Period, ReportKind
from domain.site import SITE_LIFECYCLE
from projections.base import PositionedEvent
from projections.cases import NO_CASES
from projections.dashboard import OUT_OF_PROGRAMME
from projections.entitlement_status import entitlement_label
from projections.payment_ledger import LedgerState, fold_ledger
from projections.site_status import SITE_EVENTS

# Raised whenever a change to the fold changes what the figures say; stated in the figures.
FIGURES_VERSION = 1

BENEFICIARY_EVENTS = frozenset(t.event for t in BENEFICIARY_LIFECYCLE.transitions)
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
    code: str
    name: str
    state: str | None = None
    headcount: int | None = None
    declared: int | None = None
    cases: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CASE_STATES, 0))
    steps: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STEPS.values(), 0))
    money: _Money = field(default_factory=_Money)

    def reported(self) -> bool:
        """Whether the site has anything to report for the period: registered by its end, or
        a case, a step or a rupiah counted for it (a site registered later has nothing)."""
        return (
            self.state is not None
            or any(self.cases.values())
            or any(self.steps.values())
            or bool(self.money.recipients or self.money.returned)
        )


@dataclass
class _Timeline:
    """One aggregate as at the period's end: its state, while its events are still dated by
    then (`open`)."""

    site_id: str
    label: str
    state: str | None = None
    open: bool = True


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
        self._named: dict[str, tuple[str, str]] = {}  # site id -> (code, name), by registration
        self._site_lines: dict[str, _Timeline] = {}
        self._cases: dict[str, _Timeline] = {}
        self._ledger = LedgerState()
        self._unsited = _Money()
        self._appeared: set[str] = set()  # the blocks of figures fed so far

    def add(self, event: PositionedEvent) -> None:
        """Fold one event, the next in log order."""
        self.position = event.position
        if event.name in SITE_EVENTS:
            self._site_event(event)
        elif event.name in BENEFICIARY_EVENTS:
            self._case_event(event)
        else:
            for row in fold_ledger(self._ledger, (event,), NO_CASES):
                self._money(event, row)

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
        if event.name in BENEFICIARY_EVENTS:
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
        programme = _add_up([_site_figures(_Site("-", "-")), *sites.values()])
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

    # --- sites ------------------------------------------------------------------------------

    def _site_event(self, event: PositionedEvent) -> None:
        e = event.event
        site_id = str(e.originator_id)
        if event.name == "SiteRegistered":
            self._named[site_id] = (e.code, e.name)
            self._site_lines[site_id] = _Timeline(site_id, e.code)
        line = self._site_lines[site_id]
        site = self._site(site_id)
        block = f"sites.{site.code}"
        if line.open and e.occurred_on > self.period.end:
            line.open = False
        if line.open:
            state = SITE_LIFECYCLE.target_after(event.name, line.state)
            if state != line.state:
                line.state = site.state = state
                self._feed(event, block, "site_state_at_end")
            if event.name == "SiteRegistered":
                site.headcount = e.headcount_at_pendataan
                self._feed(event, block, "headcount_at_pendataan")
            elif event.name == "SiteClosed":
                site.declared = e.declared_headcount
                self._feed(event, block, "declared_headcount_at_closure")
        self._step(event, site, block)

    def _site(self, site_id: str | None) -> _Site:
        code, name = self._named.get(site_id or "", (site_id or "-", site_id or "-"))
        if code not in self._sites:
            self._sites[code] = _Site(code, name)
        return self._sites[code]

    # --- cases ------------------------------------------------------------------------------

    def _case_event(self, event: PositionedEvent) -> None:
        e = event.event
        case_id = str(e.originator_id)
        if event.name == "BeneficiaryRegistered":
            self._cases[case_id] = _Timeline(str(e.site_id), e.case_number)
        case = self._cases[case_id]
        site = self._site(case.site_id)
        block = f"sites.{site.code}"
        if case.open and e.occurred_on > self.period.end:
            case.open = False
        if case.open:
            state = BENEFICIARY_LIFECYCLE.target_after(event.name, case.state)
            if state != case.state:
                if case.state is None:
                    self._feed(event, block, "registered_by_end")
                else:
                    site.cases[case.state] -= 1
                    self._feed(event, block, f"cases_at_end.{case.state}")
                site.cases[state] += 1
                self._feed(event, block, f"cases_at_end.{state}")
                if _in_programme(case.state) != _in_programme(state):
                    self._feed(event, block, "in_programme_at_end")
                case.state = state
        self._step(event, site, block)

    def _step(self, event: PositionedEvent, site: _Site, block: str) -> None:
        step = STEPS.get(event.name)
        if step is not None and self.period.contains(event.event.occurred_on):
            site.steps[step] += 1
            self._feed(event, block, f"in_period.{step}")

    # --- money ------------------------------------------------------------------------------

    def _money(self, event: PositionedEvent, row: Mapping[str, Any]) -> None:
        occurred_on: date = row["occurred_on"]
        if not row["paid_effect"] or not self.period.contains(occurred_on):
            return
        site_id = row["site_id"]
        if site_id is None:
            money, block = self._unsited, "without_site"
        else:
            site = self._site(site_id)
            money, block = site.money, f"sites.{site.code}"
        figure = "money_in_period"
        if event.name == "CreditedToAccount":
            money.credited += row["amount"]
            self._feed(event, block, f"{figure}.credited")
            recipient = row["beneficiary_id"] or row["entitlement_id"]
            if recipient not in money.recipients:
                money.recipients.add(recipient)
                self._feed(event, block, f"{figure}.recipients_credited")
        else:
            money.returned += row["amount"]
            self._feed(event, block, f"{figure}.returned")
        money.net_paid += row["paid_effect"]
        money.by_component[row["component"]] += row["paid_effect"]
        self._feed(event, block, f"{figure}.net_paid")
        self._feed(event, block, f"{figure}.net_paid_by_component.{row['component']}")

    def _feed(self, event: PositionedEvent, block: str, figure: str) -> None:
        appears = block not in self._appeared
        self._appeared.add(block)
        if self.trace_after is None or event.position <= self.trace_after:
            return
        fed = self.sources.setdefault(event.position, set())
        if appears and block != "without_site":
            # The first figure of a site brings the site into the report, every figure of it.
            fed.update(f"{block}.{name}" for name in SITE_FIGURES)
        fed.add(f"{block}.{figure}")
        if figure not in SITE_ONLY:
            fed.add(f"programme.{figure}")


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
    return {
        "site_name": site.name,
        "site_state_at_end": site.state,
        "headcount_at_pendataan": site.headcount,
        "declared_headcount_at_closure": site.declared,
        "registered_by_end": sum(site.cases.values()),
        "in_programme_at_end": sum(
            n for state, n in site.cases.items() if state not in OUT_OF_PROGRAMME
        ),
        "cases_at_end": dict(site.cases),
        "in_period": dict(site.steps),
        "money_in_period": site.money.figures(),
    }


SITE_FIGURES = tuple(flatten(_site_figures(_Site("-", "-"))))


def _in_programme(state: str | None) -> bool:
    return state is not None and state not in OUT_OF_PROGRAMME


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
