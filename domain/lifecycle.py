"""Lifecycles declared once, as data.

Each aggregate declares its states, the transitions (command -> event, from which states, to
which state, by which roles, under which guards) and its deadlines. The aggregate enforces the
declaration; the worklist, the generated Mermaid diagrams, the API's role checks and the web UI
read the same object.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.errors import DatedBeforePreviousStep, TransitionNotAllowed
from domain.recording import DocumentKind, Role

FIELD_ROLES: tuple[Role, ...] = (Role.OPERATOR, Role.SUPERVISOR)
SUPERVISOR_ONLY: tuple[Role, ...] = (Role.SUPERVISOR,)


@dataclass(frozen=True)
class StateSpec:
    """One state; `next_action` is the command the worklist proposes while a case sits here.

    A `standing` state is neither finished nor waiting for anyone (a decree in force): it
    accepts commands but proposes none, so it never appears on the worklist.
    """

    name: str
    description: str
    terminal: bool = False
    next_action: str | None = None
    standing: bool = False


@dataclass(frozen=True)
class Transition:
    """A command that, from one of `sources`, records `event` and moves to `target`.

    `target` None means the aggregate stays where it is (repeatable events such as a second
    sosialisasi). `sources` None means the creation of the aggregate. `guards` describe, in
    words with their error codes, the rules the aggregate checks beyond the source state.

    `follows` names the earlier steps of the same aggregate this one may not be dated before
    (DATED_BEFORE_PREVIOUS_STEP): none of them, as last recorded, may carry a later business
    date. None derives them from the state machine: the steps that move an aggregate into one
    of `sources`, which is what a step follows in a lifecycle walked in order. A repeatable
    step or one dated by another record's fact declares its own.
    `documents` are the kinds of paper the step rests on, when the rule names one: the
    aggregate refuses any other, and the API and the forms offer these.
    """

    command: str
    event: str
    sources: tuple[str, ...] | None
    target: str | None
    roles: tuple[Role, ...] = FIELD_ROLES
    guards: tuple[str, ...] = ()
    follows: tuple[str, ...] | None = None
    documents: tuple[DocumentKind, ...] = ()


@dataclass(frozen=True)
class Correction:
    """A command that corrects a fact recorded earlier, in any state, without moving it.

    A wrong fact is never edited: the correction is a new event naming the event it corrects,
    with the old and the new value, a reason and a document (ADR 0022).
    """

    command: str
    event: str
    roles: tuple[Role, ...] = FIELD_ROLES
    guards: tuple[str, ...] = ()


@dataclass(frozen=True)
class Deadline:
    """How long a case may sit in `states` after the latest of the `clock_starts` events.

    The duration is a programme setting named `setting`, with `default_days` when unset.
    """

    setting: str
    states: tuple[str, ...]
    clock_starts: tuple[str, ...]
    default_days: int
    description: str


@dataclass(frozen=True)
class Lifecycle:
    """The state machine of one aggregate type."""

    aggregate: str
    states: tuple[StateSpec, ...]
    transitions: tuple[Transition, ...]
    deadlines: tuple[Deadline, ...] = ()
    corrections: tuple[Correction, ...] = ()
    _by_name: dict[str, StateSpec] = field(init=False, repr=False, compare=False)
    # (event, state before) -> state after; every replayed and projected event looks it up.
    _targets: dict[tuple[str, str | None], str] = field(init=False, repr=False, compare=False)
    # (event, state before) -> the steps it may not be dated before, declared or derived.
    _follows: dict[tuple[str, str], tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {s.name: s for s in self.states}
        object.__setattr__(self, "_by_name", by_name)
        targets: dict[tuple[str, str | None], str] = {}
        for t in self.transitions:
            for source in t.sources if t.sources is not None else (None,):
                targets.setdefault((t.event, source), t.target or source or "")
        for c in self.corrections:
            for spec in self.states:
                targets[(c.event, spec.name)] = spec.name
        object.__setattr__(self, "_targets", targets)
        object.__setattr__(self, "_follows", self._declared_follows())
        for t in self.transitions:
            for s in (*(t.sources or ()), *((t.target,) if t.target else ())):
                if s not in by_name:
                    raise ValueError(f"{self.aggregate}: transition {t.command} names unknown {s}")
        for d in self.deadlines:
            for s in d.states:
                if s not in by_name:
                    raise ValueError(f"{self.aggregate}: deadline {d.setting} names unknown {s}")
        for spec in self.states:
            if spec.next_action and not self.transitions_for(spec.next_action):
                raise ValueError(f"{self.aggregate}: {spec.name} proposes unknown command")

    def _declared_follows(self) -> dict[tuple[str, str], tuple[str, ...]]:
        follows: dict[tuple[str, str], tuple[str, ...]] = {}
        for t in self.transitions:
            for source in t.sources or ():
                follows.setdefault((t.event, source), self.steps_followed(t))
        unknown = {e for steps in follows.values() for e in steps} - self.event_names
        if unknown:
            raise ValueError(f"{self.aggregate}: a step follows unknown {sorted(unknown)}")
        return follows

    def steps_followed(self, transition: Transition) -> tuple[str, ...]:
        """The steps `transition` may not be dated before: declared, or those that move an
        aggregate into one of its source states (none for a creation)."""
        if transition.follows is not None:
            return transition.follows
        sources = transition.sources or ()
        leading = (
            t.event for t in self.transitions if t.target is not None and t.target in sources
        )
        return tuple(dict.fromkeys(leading))

    def follows_of(self, event: str) -> tuple[str, ...]:
        """Every step `event` may not be dated before, whichever state it is recorded in: what
        a date correction checks, since it does not know the state the event was recorded in."""
        steps = (s for (e, _), followed in self._follows.items() if e == event for s in followed)
        return tuple(dict.fromkeys(steps))

    def check_dated_in_order(
        self,
        event: str,
        state: str,
        occurred_on: date,
        dated_steps: Mapping[str, date],
        field: str = "occurred_on",
    ) -> None:
        """DatedBeforePreviousStep unless `event`, recorded in `state` on `occurred_on`, is
        dated on or after every step it follows as last recorded (`dated_steps`)."""
        _check_order(event, self._follows.get((event, state), ()), occurred_on, dated_steps, field)

    def check_dated_in_order_anywhere(
        self, event: str, occurred_on: date, dated_steps: Mapping[str, date], field: str
    ) -> None:
        """`check_dated_in_order` against every step `event` follows in any state."""
        _check_order(event, self.follows_of(event), occurred_on, dated_steps, field)

    @property
    def event_names(self) -> frozenset[str]:
        """The names of every event the aggregate records: its transitions and corrections."""
        return frozenset(
            (*(t.event for t in self.transitions), *(c.event for c in self.corrections))
        )

    @property
    def initial(self) -> str:
        """The state the creation event leads to."""
        created = [t for t in self.transitions if t.sources is None]
        assert len(created) == 1 and created[0].target
        return created[0].target

    def state(self, name: str) -> StateSpec:
        """The declaration of state `name`."""
        return self._by_name[name]

    def is_terminal(self, state: str) -> bool:
        """True when no command leads out of `state`."""
        return self._by_name[state].terminal

    def transitions_for(self, command: str) -> list[Transition]:
        """Every declared transition of `command`, whatever its source state."""
        return [t for t in self.transitions if t.command == command]

    def documents_for(self, command: str) -> tuple[DocumentKind, ...]:
        """The kinds of document `command` rests on; empty when any kind will do."""
        kinds = {kind for t in self.transitions_for(command) for kind in t.documents}
        return tuple(sorted(kinds))

    def allows(self, command: str, state: str) -> bool:
        """True when `command` may be issued in `state`."""
        return any(
            t.command == command and t.sources is not None and state in t.sources
            for t in self.transitions
        )

    def transition(self, command: str, state: str) -> Transition:
        """The transition `command` takes from `state`, or TransitionNotAllowed."""
        for t in self.transitions:
            if t.command == command and t.sources is not None and state in t.sources:
                return t
        allowed = sorted({s for t in self.transitions_for(command) for s in t.sources or ()})
        raise TransitionNotAllowed(
            f"{self.aggregate}: '{command}' is not allowed in state {state}"
            f" (allowed in: {', '.join(allowed) or 'none'})",
            aggregate=self.aggregate,
            command=command,
            state=state,
        )

    def target_after(self, event: str, state: str | None) -> str:
        """The state after `event` is applied in `state` (None before creation)."""
        target = self._targets.get((event, state))
        if not target:
            raise TransitionNotAllowed(
                f"{self.aggregate}: event {event} cannot follow state {state}"
            )
        return target

    def folded_target(self, event: str, state: str | None) -> str:
        """The state a read model shows after `event` in `state`: `target_after`'s, and never
        an error where the declaration has no answer.

        A fold must answer for whatever part of the log it is given. A cut by business date
        leaves out the steps dated after it (an event may then follow a state it never follows
        in the log), and an older store may hold steps the declaration did not allow. A step
        that may leave a state as it is (a further sosialisasi) then leaves it so; any other
        leads where it leads from any state.
        """
        target = self._targets.get((event, state))
        if target:
            return target
        declared = [t for t in self.transitions if t.event == event]
        moving = [t.target for t in declared if t.target]
        if state is not None and (len(moving) < len(declared) or not moving):
            return state
        return moving[0] if moving else self.initial

    def commands_from(self, state: str) -> list[Transition]:
        """Transitions available from `state`, in declaration order."""
        return [t for t in self.transitions if t.sources is not None and state in t.sources]

    def roles_for(self, command: str) -> tuple[Role, ...]:
        """Roles that may issue `command`."""
        roles: list[Role] = []
        declared: list[Transition | Correction] = [
            *self.transitions_for(command),
            *self.corrections_for(command),
        ]
        for t in declared:
            roles.extend(r for r in t.roles if r not in roles)
        return tuple(roles)

    def corrections_for(self, command: str) -> list[Correction]:
        """The declared correction `command`, if any (a list, like `transitions_for`)."""
        return [c for c in self.corrections if c.command == command]

    def deadlines_in(self, state: str) -> list[Deadline]:
        """Deadlines that run while a case is in `state`."""
        return [d for d in self.deadlines if state in d.states]

    def due_on(
        self, state: str, milestones: Mapping[str, date], days: Mapping[str, int]
    ) -> tuple[Deadline, date] | None:
        """The earliest deadline running in `state`, and when it falls due.

        `milestones` maps event names to the business date they last occurred on; `days`
        overrides the declared default durations by setting name.
        """
        candidates: list[tuple[date, Deadline]] = []
        for d in self.deadlines_in(state):
            started = [milestones[e] for e in d.clock_starts if e in milestones]
            if started:
                duration = days.get(d.setting, d.default_days)
                candidates.append((max(started) + timedelta(days=duration), d))
        if not candidates:
            return None
        due, deadline = min(candidates, key=lambda c: c[0])
        return deadline, due

    def mermaid(self) -> str:
        """A Mermaid state diagram of the declaration (docs are generated from this)."""
        lines = ["stateDiagram-v2"]
        for spec in self.states:
            lines.append(f"    {spec.name}: {spec.name}")
        for t in self.transitions:
            # Only roles other than the default are named, to keep the diagram readable.
            label = t.event + ("" if t.roles == FIELD_ROLES else f" ({', '.join(t.roles)})")
            if t.sources is None:
                lines.append(f"    [*] --> {t.target}: {label}")
                continue
            for source in t.sources:
                lines.append(f"    {source} --> {t.target or source}: {label}")
        for spec in self.states:
            if spec.terminal:
                lines.append(f"    {spec.name} --> [*]")
        return "\n".join(lines) + "\n"


def _check_order(
    event: str,
    follows: Iterable[str],
    occurred_on: date,
    dated_steps: Mapping[str, date],
    field: str,
) -> None:
    for step in follows:
        previous = dated_steps.get(step)
        if previous is not None and occurred_on < previous:
            raise DatedBeforePreviousStep.naming(event, occurred_on, step, previous, field)


def non_terminal(states: Iterable[StateSpec]) -> tuple[str, ...]:
    """Names of the states that still accept commands."""
    return tuple(s.name for s in states if not s.terminal)
