"""The event log as every reader reads it: the projection runner's event source, one
aggregate's history, the head, and the events in log order, through the library's `Application`
(so the read side never needs the command handlers)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Notification
from eventsourcing.persistence import StoredEvent as LibraryEvent
from eventsourcing.utils import get_topic

from projections.base import PositionedEvent
from projections.chain import StoredEvent
from service.errors import NotFound

EventLog = Application[UUID]
"""What the read side needs of the application: its recorder, mapper and event store."""

PAGE = 2000


class ApplicationEventSource:
    """The application's notification log as the projection runner's event source."""

    def __init__(self, app: Application[UUID]) -> None:
        self.app = app

    def read_after(
        self, position: int, limit: int, topics: Sequence[str] = ()
    ) -> Sequence[PositionedEvent]:
        """Up to `limit` events after `position`; only those of `topics` when given (chosen
        in the store's own query, so the others are never decoded)."""
        notifications = self.app.recorder.select_notifications(
            start=position, limit=limit, topics=topics, inclusive_of_start=False
        )
        return [
            PositionedEvent(n.id, self.app.mapper.to_domain_event(n), stored_event(n))
            for n in notifications
        ]

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0


def stored_event(notification: Notification) -> StoredEvent:
    """The stored record of a notification, as the hash chain covers it."""
    originator = notification.originator_id
    return StoredEvent(
        position=notification.id,
        originator_id=originator if isinstance(originator, UUID) else UUID(str(originator)),
        originator_version=notification.originator_version,
        topic=notification.topic,
        state=bytes(notification.state),
    )


def history(log: EventLog, aggregate_id: UUID) -> list[Any]:
    """Every event of one aggregate, oldest first."""
    events = list(log.events.get(aggregate_id))
    if not events:
        raise NotFound("aggregate", aggregate_id)
    return events


def head(log: EventLog) -> int:
    """The highest position in the event log."""
    return log.recorder.max_notification_id() or 0


def log_events(
    log: EventLog, known_at: int | None = None, topics: Sequence[str] = (), after: int = 0
) -> Iterator[PositionedEvent]:
    """The log's events in order, decoded, after position `after` up to position `known_at`
    (None: all of them), read a page at a time; only the events of `topics` when given."""
    source = ApplicationEventSource(log)
    while True:
        page = source.read_after(after, PAGE, topics)
        for event in page:
            if known_at is not None and event.position > known_at:
                return
            yield event
        if len(page) < PAGE:
            return
        after = page[-1].position


def decode_stored(log: EventLog, stored: Sequence[Any]) -> list[PositionedEvent]:
    """Rows read from the log (`RawLog.read_positions`), as the events they store."""
    return [
        PositionedEvent(
            s.position,
            log.mapper.to_domain_event(
                LibraryEvent(
                    originator_id=s.originator_id,
                    originator_version=s.originator_version,
                    topic=s.topic,
                    state=s.state,
                )
            ),
        )
        for s in stored
    ]


def topics_of(aggregates: Iterable[type], names: Iterable[str]) -> list[str]:
    """The stored topics of the events called `names` on `aggregates` (inherited ones too)."""
    wanted = set(names)
    found = {
        get_topic(member)
        for aggregate in aggregates
        for name in dir(aggregate)
        if name in wanted
        and isinstance(member := getattr(aggregate, name), type)
        and issubclass(member, DomainEvent)
    }
    return sorted(found)


def topics_of_classes(classes: Iterable[type[DomainEvent]]) -> list[str]:
    """The stored topics of the event classes `classes`."""
    return sorted(get_topic(cls) for cls in classes)
