"""The entitlement states the money commands gather a decree's lines in, as the lifecycle
declares them."""

from domain.money_lifecycles import FUNDABLE_ENTITLEMENT_STATES, ORDERABLE_ENTITLEMENT_STATES


def test_funds_go_to_entitlements_decreed_or_lapsed_with_their_fiscal_year() -> None:
    assert FUNDABLE_ENTITLEMENT_STATES == ("PLANNED", "LAPSED")


def test_a_batch_orders_entitlements_funded_or_whose_transfer_failed() -> None:
    assert ORDERABLE_ENTITLEMENT_STATES == ("ALLOCATED", "FAILED")
