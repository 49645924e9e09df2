"""The Kaltara demo's corrections: wrong facts put right by new events (ADR 0022).

A site's name misspelt at pendataan, a sosialisasi entered with the wrong day and a bank
reference the result file carried wrongly, each corrected on the paper that shows the right
value, so the histories of `make run` show the original beside its correction. Each wrong value
is recorded first and corrected before anything reads it, so every published figure is the
same as if it had been right all along.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from domain.recording import DocumentRef, Provenance
from domain.site import Site
from service.commands.application import ProgrammeApplication

Proof = Callable[..., Provenance]
Paper = Callable[[str, str, date, str], DocumentRef]

# Names typed wrongly at pendataan, by site code.
MISSPELT_NAMES = {"TRK-LU": "Lingkas Ujong"}
# Sosialisasi days typed wrongly, by site code and the sosialisasi's number.
MISDATED_SOSIALISASI = {("TRK-JP", 1): date(2017, 8, 1)}


def recorded_name(code: str, name: str) -> str:
    """The name a site's registration records: misspelt for a few, to be corrected."""
    return MISSPELT_NAMES.get(code, name)


def recorded_sosialisasi(code: str, number: int, on: date) -> date:
    """The day a sosialisasi is first entered: wrong for a few, to be corrected."""
    return MISDATED_SOSIALISASI.get((code, number), on)


def correct_site_records(
    app: ProgrammeApplication,
    proof: Proof,
    paper: Paper,
    names: dict[str, str],
    sosialisasi: dict[str, tuple[date, ...]],
) -> None:
    """Correct what `recorded_name` and `recorded_sosialisasi` recorded wrongly, to `names`
    and `sosialisasi` (by site code) as the public record has them."""
    for code in MISSPELT_NAMES:
        on = date(2019, 1, 21)
        app.corrections.correct_site_details(
            Site.create_id(code),
            name=names[code],
            provenance=proof(
                "operator",
                on,
                paper("surat_keterangan", f"SKL/{code}/2019", on, "Kelurahan Lingkas Ujung"),
                "The site's name was misspelt at pendataan; the kelurahan's letter spells it",
            ),
        )
    for (code, number), _ in MISDATED_SOSIALISASI.items():
        site_id = Site.create_id(code)
        held = [
            e.originator_version
            for e in app.history(site_id)
            if type(e).__name__ == "SosialisasiHeld"
        ]
        on = date(2019, 1, 22)
        app.corrections.correct_site_date(
            site_id,
            corrects_version=held[number - 1],
            corrected_date=sosialisasi[code][number - 1],
            provenance=proof(
                "operator",
                on,
                paper(
                    "notulen", f"{code}/SOS/{number}", sosialisasi[code][number - 1], "Dinas Sosial"
                ),
                "The day was typed wrongly; the minutes are dated otherwise",
            ),
        )


def correct_a_bank_reference(
    app: ProgrammeApplication, proof: Proof, paper: Paper, credited: UUID, bank: str
) -> None:
    """The bank's result file left the check digit off one credit's reference; the bank's
    letter gives it in full. One supervisor requests the correction and a second approves it,
    before the statement that carries the full reference is imported."""
    right = f"{app.entitlement(credited).bank_reference}7"
    credit = max(
        e.originator_version
        for e in app.history(credited)
        if type(e).__name__ == "CreditedToAccount"
    )
    on = date(2019, 9, 9)
    app.corrections.request_money_correction(
        credited,
        corrects_version=credit,
        reference=right,
        provenance=proof(
            "supervisor",
            on,
            paper("surat", "BANK/2019/09/114", on, bank),
            "The result file carried the reference with two digits swapped",
        ),
    )
    app.corrections.approve_money_correction(credited, provenance=proof("supervisor.kemensos", on))
