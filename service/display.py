"""How figures are printed for people on the dashboard page and in `jejak status`."""

from __future__ import annotations


def rupiah_for_display(amount: int) -> str:
    """Whole rupiah as a table prints them: `Rp 5.500.000` (dots group the thousands)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")
