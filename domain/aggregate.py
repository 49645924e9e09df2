"""The base of Jejak's aggregates: lifecycle-driven state and the shared event fields."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any, ClassVar, TypeVar, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.lifecycle import Lifecycle, Transition
from domain.recording import Recorded

T = TypeVar("T", bound="LifecycleAggregate")


class LifecycleAggregate(Aggregate):
    """An aggregate whose state is moved only by its lifecycle declaration.

    Every event, on creation and on replay, moves `state` to the declared target and records
    its `milestone_on` date under its name in `milestones`, which the deadlines and the
    lifecycle's order of dates read. Event bodies therefore assign only the facts specific to
    the event.

    A new step is checked against the lifecycle's order of dates when a command triggers it,
    never when a stored event is replayed: older stores may hold steps out of order, and they
    must still load.
    """

    lifecycle: ClassVar[Lifecycle]
    state: str
    milestones: dict[str, date]

    class Event(Aggregate.Event, Recorded):
        """Base of every event; moves the state as the lifecycle declares, on every replay."""

        def milestone_on(self) -> date:
            """The date a deadline's clock starts from when this event starts one.

            The business date, unless the event records an earlier start: the 60 days to answer
            an audit finding run from the day the report was received, not from the day it was
            entered here.
            """
            return self.occurred_on

        def mutate(self, aggregate: Any) -> Any:
            name = type(self).__name__
            if aggregate is None:
                created = cast(LifecycleAggregate, super().mutate(aggregate))
                created.state = created.lifecycle.target_after(name, None)
                created.milestones = {name: self.milestone_on()}
                created.noted(self)
                return created
            existing = cast(LifecycleAggregate, aggregate)
            # The target is worked out before the body runs, so an event the declaration does
            # not allow fails without having changed the aggregate.
            target = existing.lifecycle.target_after(name, existing.state)
            mutated = cast(LifecycleAggregate, super().mutate(existing))
            mutated.state = target
            mutated.milestones[name] = self.milestone_on()
            mutated.noted(self)
            return mutated

    class Created(Event, Aggregate.Created):
        """Base of creation events."""

    @classmethod
    def _start(
        cls: type[T], created: type[LifecycleAggregate.Created], aggregate_id: UUID, **fields: Any
    ) -> T:
        """A new aggregate with its pending `created` event, built as replaying that event would.

        This is what `Aggregate._create` does, without its generic work per aggregate (matching
        keyword arguments against signatures, twice): `fields` are exactly the event's own
        fields, which are also the arguments of the @event-decorated `__init__`. A roster
        import creates hundreds of aggregates at a time.
        """
        event = created(
            # The topic the library derives for a class that declares none.
            originator_topic=f"{cls.__module__}:{cls.__qualname__}",
            originator_id=aggregate_id,
            originator_version=cls.INITIAL_VERSION,
            timestamp=created.create_timestamp(),
            **fields,
        )
        aggregate = object.__new__(cls)
        aggregate.__base_init__(aggregate_id, cls.INITIAL_VERSION, event.timestamp)
        # The body of the decorated __init__, called as the library calls it on replay.
        cls.__init__(aggregate, **fields)
        name = created.__name__
        aggregate.state = cls.lifecycle.target_after(name, None)
        aggregate.milestones = {name: event.milestone_on()}
        aggregate.noted(event)
        aggregate.pending_events.append(event)
        return aggregate

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        """Every new event a command triggers passes here (a replay does not): a lifecycle
        step dated before a step it follows is refused before anything changes."""
        self.lifecycle.check_dated_in_order(
            event_class.__name__, self.state, kwargs["occurred_on"], self.milestones
        )
        super().trigger_event(event_class, **kwargs)

    def noted(self, event: LifecycleAggregate.Event) -> None:
        """Called after every event is applied; an aggregate whose facts can be corrected
        remembers each event's date and document here (see `domain.corrections`)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> LifecycleAggregate:
        """A copy whose containers are new and whose values are shared.

        Aggregates hold immutable values (dates, text, frozen dataclasses, tuples) directly or
        in lists, dicts and sets one level deep, so copying those containers is a full copy.
        The application's aggregate cache hands out copies on every command; the generic
        deep copy was a large share of a command's cost.
        """
        clone = object.__new__(type(self))
        for name, value in self.__dict__.items():
            if isinstance(value, list | dict | set):
                value = copy.copy(value)
            clone.__dict__[name] = value
        memo[id(self)] = clone
        return clone

    def _allowed(self, command: str) -> Transition:
        """The transition `command` takes now; raises TransitionNotAllowed otherwise."""
        return self.lifecycle.transition(command, self.state)

    def allows(self, command: str) -> bool:
        """True when its lifecycle allows `command` in the current state."""
        return self.lifecycle.allows(command, self.state)

    @property
    def is_terminal(self) -> bool:
        """True once the case can no longer change."""
        return self.lifecycle.is_terminal(self.state)
