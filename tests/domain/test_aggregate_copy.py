"""The aggregates' fast deep copy is a real deep copy, because their state is shallow."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from domain.aggregate import LifecycleAggregate
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.site import SITE_LIFECYCLE
from tests.domain.givens import beneficiary_in, site_in

CONTAINERS = (list, dict, set)


def _every_state() -> list[LifecycleAggregate]:
    sites: list[LifecycleAggregate] = [site_in(s.name) for s in SITE_LIFECYCLE.states]
    cases: list[LifecycleAggregate] = [beneficiary_in(s.name) for s in BENEFICIARY_LIFECYCLE.states]
    return sites + cases


@pytest.mark.parametrize("aggregate", _every_state(), ids=lambda a: f"{type(a).__name__}-{a.state}")
def test_a_copy_shares_no_container_and_holds_no_nested_container(
    aggregate: LifecycleAggregate,
) -> None:
    clone = copy.deepcopy(aggregate)

    assert clone == aggregate and clone is not aggregate
    for name, value in vars(aggregate).items():
        if isinstance(value, CONTAINERS):
            assert vars(clone)[name] is not value, name
            items: Any = value.values() if isinstance(value, dict) else value
            assert not any(isinstance(item, CONTAINERS) for item in items), (
                f"{name} nests a container: the fast copy would share it"
            )
        elif isinstance(value, tuple):
            assert not any(isinstance(item, CONTAINERS) for item in value), name
