"""Indonesian identity numbers (NIK, No. KK) and the region codes they are built on.

Rules follow domain research section 9. A NIK is ``PPKKCC DDMMYY SSSS``: the Kemendagri
kecamatan where it was first issued, the birth date (day + 40 for women) and a serial. Only
structural problems block (raise); an unknown region or birth/sex digits that disagree with the
recorded values are facts the caller flags for review, because a NIK never changes after a
kecamatan split or a corrected birth date.

Personal data stays out of errors: no message here contains a NIK's or KK's digits.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from importlib import resources

from domain.data import KEMENDAGRI_EDITION
from domain.errors import InvalidKk, InvalidNik, InvalidValue


class Sex(Enum):
    """Sex as recorded on the identity card; a NIK encodes it in the day digits."""

    FEMALE = "F"
    MALE = "M"


class RegionScheme(Enum):
    """Which authority's numbering a region code belongs to; the two disagree inside Kaltara."""

    KEMENDAGRI = "kemendagri"
    BPS = "bps"


class RegionLevel(StrEnum):
    """Administrative level: provinsi, kabupaten/kota, kecamatan, kelurahan/desa."""

    PROVINCE = "province"
    REGENCY = "regency"
    DISTRICT = "district"
    VILLAGE = "village"


@dataclass(frozen=True)
class RegionCode:
    """One region under one scheme. Codes are canonical: Kemendagri dotted (``65.71.04.1002``),
    BPS plain digits (``6571``). A region with `valid_to` set is historic."""

    scheme: RegionScheme
    code: str
    name: str
    level: RegionLevel
    valid_from: date | None = None
    valid_to: date | None = None
    parent: str | None = None
    source: str = ""

    @property
    def is_historic(self) -> bool:
        """True when the code has been retired from the scheme's current list."""
        return self.valid_to is not None

    def is_valid_on(self, day: date) -> bool:
        """Whether the code was in force on `day`; open ends count as in force."""
        started = self.valid_from is None or self.valid_from <= day
        not_ended = self.valid_to is None or day <= self.valid_to
        return started and not_ended


# Kemendagri codes have 2, 4, 6 or 10 digits (provinsi, kab/kota, kecamatan, kel/desa); BPS
# kecamatan codes have 7 digits. [0-9] rather than \d, which also matches non-ASCII digits.
_KEMENDAGRI_LEVELS = {
    2: RegionLevel.PROVINCE,
    4: RegionLevel.REGENCY,
    6: RegionLevel.DISTRICT,
    10: RegionLevel.VILLAGE,
}
_BPS_LEVELS = {
    2: RegionLevel.PROVINCE,
    4: RegionLevel.REGENCY,
    7: RegionLevel.DISTRICT,
    10: RegionLevel.VILLAGE,
}
_KEMENDAGRI_DOTTED = re.compile(r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?")
_DIGITS = re.compile(r"[0-9]+")


def _canonical_code(scheme: RegionScheme, code: str) -> str | None:
    """The canonical spelling of `code`, or None if it is not a code of `scheme` at all."""
    if scheme is RegionScheme.KEMENDAGRI:
        if _KEMENDAGRI_DOTTED.fullmatch(code):
            return code
        if _DIGITS.fullmatch(code) and len(code) in _KEMENDAGRI_LEVELS:
            pieces = (code[0:2], code[2:4], code[4:6], code[6:10])
            return ".".join(piece for piece in pieces if piece)
        return None
    if _DIGITS.fullmatch(code) and len(code) in _BPS_LEVELS:
        return code
    return None


def _level_of(scheme: RegionScheme, canonical: str) -> RegionLevel:
    digits = canonical.replace(".", "")
    levels = _KEMENDAGRI_LEVELS if scheme is RegionScheme.KEMENDAGRI else _BPS_LEVELS
    return levels[len(digits)]


_KEMENDAGRI_COLUMNS = ["code", "name", "level", "parent", "valid_from", "valid_to", "source"]
_BPS_COLUMNS = ["code", "name", "level", "valid_from", "valid_to", "source"]
_CROSSWALK_COLUMNS = ["kemendagri_code", "bps_code"]
_DATA_PACKAGE = "domain.data"


class RegionRegistry:
    """Kemendagri and BPS region tables plus the crosswalk between them.

    Load the shipped tables with `default_registry()`; build one from CSV text in tests.
    """

    def __init__(
        self,
        regions: Iterable[RegionCode],
        crosswalk: Iterable[tuple[str, str]] = (),
        edition: str = "",
    ) -> None:
        # Which edition of the Kemendagri list the tables are ("" for tables built in tests).
        self.edition = edition
        self._regions: dict[tuple[RegionScheme, str], RegionCode] = {}
        for region in regions:
            key = (region.scheme, region.code)
            if key in self._regions:
                raise ValueError(f"duplicate {region.scheme.value} region code {region.code}")
            self._regions[key] = region
        self._to_bps: dict[str, str] = {}
        self._to_kemendagri: dict[str, str] = {}
        for kemendagri_code, bps_code in crosswalk:
            self._require(RegionScheme.KEMENDAGRI, kemendagri_code)
            self._require(RegionScheme.BPS, bps_code)
            self._to_bps[kemendagri_code] = bps_code
            self._to_kemendagri[bps_code] = kemendagri_code

    @classmethod
    def from_csv_text(
        cls,
        kemendagri_csv: str,
        bps_csv: str = "",
        crosswalk_csv: str = "",
        edition: str = "",
    ) -> RegionRegistry:
        """Build a registry from the text of the three CSV tables (see domain/data/README.md)."""
        regions = [
            *_read_regions(RegionScheme.KEMENDAGRI, kemendagri_csv, _KEMENDAGRI_COLUMNS),
            *_read_regions(RegionScheme.BPS, bps_csv, _BPS_COLUMNS),
        ]
        pairs = [
            (row["kemendagri_code"], row["bps_code"])
            for row in _read_rows(crosswalk_csv, _CROSSWALK_COLUMNS)
        ]
        return cls(regions, pairs, edition)

    @classmethod
    def load_shipped(cls) -> RegionRegistry:
        """Read the tables shipped in the `domain.data` package."""
        data = resources.files(_DATA_PACKAGE)
        return cls.from_csv_text(
            data.joinpath("kemendagri_regions.csv").read_text(encoding="utf-8"),
            data.joinpath("bps_regions.csv").read_text(encoding="utf-8"),
            data.joinpath("kemendagri_bps_crosswalk.csv").read_text(encoding="utf-8"),
            KEMENDAGRI_EDITION,
        )

    def lookup(self, scheme: RegionScheme, code: str) -> RegionCode | None:
        """The region with this code (dotted or plain digits), current or historic, or None."""
        canonical = _canonical_code(scheme, code)
        if canonical is None:
            return None
        return self._regions.get((scheme, canonical))

    def name_of(self, scheme: RegionScheme, code: str) -> str | None:
        """The region's name, or None when the code is not in the table."""
        region = self.lookup(scheme, code)
        return region.name if region is not None else None

    def is_known_nik_prefix(self, prefix6: str) -> bool:
        """Whether a NIK's first six digits name a Kemendagri kecamatan, current or historic."""
        if _DIGITS.fullmatch(prefix6) is None or len(prefix6) != 6:
            return False
        region = self.lookup(RegionScheme.KEMENDAGRI, prefix6)
        return region is not None and region.level is RegionLevel.DISTRICT

    def is_known_village(self, scheme: str, code: str) -> bool:
        """Whether `code` names a kelurahan or desa of the tables, current or historic. Only
        the Kemendagri table lists them; a BPS code is never known here."""
        if scheme != RegionScheme.KEMENDAGRI.value:
            return False
        region = self.lookup(RegionScheme.KEMENDAGRI, code)
        return region is not None and region.level is RegionLevel.VILLAGE

    def bps_regency_for(self, kemendagri_code: str) -> RegionCode | None:
        """The BPS kabupaten/kota holding a Kemendagri region, via the crosswalk, or None.

        Kaltara's regencies are numbered differently by the two schemes (Kemendagri 65.03 is
        Nunukan, BPS 6503 is Tana Tidung), so never reuse a code across schemes.
        """
        canonical = _canonical_code(RegionScheme.KEMENDAGRI, kemendagri_code)
        if canonical is None or len(canonical) < len("PP.KK"):
            return None
        bps_code = self._to_bps.get(canonical[: len("PP.KK")])
        return None if bps_code is None else self.lookup(RegionScheme.BPS, bps_code)

    def kemendagri_for(self, bps_code: str) -> RegionCode | None:
        """The Kemendagri region the crosswalk pairs with a BPS code, or None."""
        kemendagri_code = self._to_kemendagri.get(bps_code)
        if kemendagri_code is None:
            return None
        return self.lookup(RegionScheme.KEMENDAGRI, kemendagri_code)

    def regions(self, scheme: RegionScheme) -> Iterator[RegionCode]:
        """Every region of `scheme`, in code order."""
        for key in sorted(k for k in self._regions if k[0] is scheme):
            yield self._regions[key]

    def __len__(self) -> int:
        return len(self._regions)

    def _require(self, scheme: RegionScheme, code: str) -> None:
        if (scheme, code) not in self._regions:
            raise ValueError(f"crosswalk names {scheme.value} code {code}, which has no row")


def _read_rows(text: str, columns: list[str]) -> Iterator[dict[str, str]]:
    # Plain rows zipped with the header: the full Kemendagri table has some 90,000 rows, and
    # csv.DictReader would triple the time it takes to read them.
    if not text.strip():
        return
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    if header != columns:
        raise ValueError(f"expected CSV columns {columns}, got {header}")
    width = len(columns)
    for values in reader:
        if len(values) > width:
            raise ValueError(f"CSV line {reader.line_num} has more fields than {columns}")
        values += [""] * (width - len(values))
        yield dict(zip(columns, (value.strip() for value in values), strict=True))


def _read_regions(scheme: RegionScheme, text: str, columns: list[str]) -> Iterator[RegionCode]:
    levels = {level.value: level for level in RegionLevel}
    for row in _read_rows(text, columns):
        canonical = _canonical_code(scheme, row["code"])
        if canonical != row["code"]:
            raise ValueError(f"{scheme.value} code {row['code']!r} is not in canonical form")
        level = levels.get(row["level"]) or RegionLevel(row["level"])
        if level is not _level_of(scheme, canonical):
            raise ValueError(f"{scheme.value} code {canonical} is not a {level.value} code")
        parent = row.get("parent") or None
        if parent is not None and not canonical.startswith(parent + "."):
            raise ValueError(f"{scheme.value} code {canonical} does not sit under {parent}")
        yield RegionCode(
            scheme=scheme,
            code=canonical,
            name=row["name"],
            level=level,
            valid_from=_optional_date(row["valid_from"]),
            valid_to=_optional_date(row["valid_to"]),
            parent=parent,
            source=row["source"],
        )


def _optional_date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


@functools.cache
def default_registry() -> RegionRegistry:
    """The registry of the shipped tables, read once per process."""
    return RegionRegistry.load_shipped()


def age_on(birth_date: date, on: date) -> int:
    """Whole years of age on `on`. Someone born on 29 February turns a year older on 1 March in
    common years. A birth date after `on` is an input error (`InvalidValue` on "birth_date")."""
    if on < birth_date:
        raise InvalidValue("birth date is after the date the age is taken on", field="birth_date")
    had_birthday = (on.month, on.day) >= (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (0 if had_birthday else 1)


# --- NIK ---------------------------------------------------------------------------------------

_SIXTEEN_DIGITS = re.compile(r"[0-9]{16}")
_FEMALE_DAY_OFFSET = 40
_OLDEST_PLAUSIBLE_AGE = 100

# Serials count up from 0001 per kecamatan, birth date and sex, so real serials in the 9000s would
# need thousands of people born on one day in one kecamatan; demo data lives there instead.
SYNTHETIC_NIK_SERIALS = range(9000, 10000)


class NikFlag(StrEnum):
    """Non-blocking findings about a NIK, each sent for review rather than refused."""

    REGION_UNKNOWN = "NIK_REGION_UNKNOWN"
    BIRTH_DIGITS_MISMATCH = "NIK_BIRTH_DIGITS_MISMATCH"
    SEX_DIGITS_MISMATCH = "NIK_SEX_DIGITS_MISMATCH"


@dataclass(frozen=True)
class NikCheck:
    """What was verified about a NIK on `checked_on`; it holds no NIK digits beyond the region.

    `birth_date` is the recorded one, which is authoritative: a NIK is not reissued when a
    birth date is corrected, so the decoded date may legitimately differ.
    """

    format_ok: bool
    region_code: str
    region_known: bool
    region_name: str | None
    region_edition: str
    decoded_birth_date: date
    decoded_sex: Sex
    birth_digits_consistent: bool
    sex_digits_consistent: bool
    is_synthetic: bool
    birth_date: date
    checked_on: date

    @property
    def flags(self) -> tuple[NikFlag, ...]:
        """The review flags this check raised, in a stable order."""
        found: list[NikFlag] = []
        if not self.region_known:
            found.append(NikFlag.REGION_UNKNOWN)
        if not self.birth_digits_consistent:
            found.append(NikFlag.BIRTH_DIGITS_MISMATCH)
        if not self.sex_digits_consistent:
            found.append(NikFlag.SEX_DIGITS_MISMATCH)
        return tuple(found)

    def age_on(self, day: date) -> int:
        """Whole years of age on `day`, from the recorded birth date."""
        return age_on(self.birth_date, day)


@dataclass(frozen=True)
class _NikParts:
    prefix6: str
    day_digits: int
    month: int
    year_digits: int
    serial: int


def _split_nik(nik: object) -> _NikParts:
    if not isinstance(nik, str) or _SIXTEEN_DIGITS.fullmatch(nik) is None:
        raise InvalidNik("NIK must be exactly 16 digits", rule="NIK_NOT_16_DIGITS")
    return _NikParts(
        prefix6=nik[:6],
        day_digits=int(nik[6:8]),
        month=int(nik[8:10]),
        year_digits=int(nik[10:12]),
        serial=int(nik[12:]),
    )


def _decode_sex_and_day(day_digits: int) -> tuple[Sex, int]:
    if 1 <= day_digits <= 31:
        return Sex.MALE, day_digits
    if 1 + _FEMALE_DAY_OFFSET <= day_digits <= 31 + _FEMALE_DAY_OFFSET:
        return Sex.FEMALE, day_digits - _FEMALE_DAY_OFFSET
    raise InvalidNik(
        "NIK birth day digits must be 01-31, or 41-71 for women", rule="NIK_BIRTH_DATE_IMPOSSIBLE"
    )


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _decode_birth_date(day: int, month: int, year_digits: int, on: date) -> date:
    """Pick the century that makes the person 0-100 years old on `on`; the youngest wins."""
    if not 1 <= month <= 12:
        raise InvalidNik("NIK birth month digits must be 01-12", rule="NIK_BIRTH_DATE_IMPOSSIBLE")
    current_century = on.year // 100 * 100
    for century in (current_century, current_century - 100, current_century - 200):
        candidate = _real_date(century + year_digits, month, day)
        if candidate is None or candidate > on:
            continue
        if age_on(candidate, on) <= _OLDEST_PLAUSIBLE_AGE:
            return candidate
    raise InvalidNik(
        "NIK birth digits are not a real calendar date for a living person",
        rule="NIK_BIRTH_DATE_IMPOSSIBLE",
    )


def _format_prefix(prefix6: str) -> str:
    return f"{prefix6[0:2]}.{prefix6[2:4]}.{prefix6[4:6]}"


def check_nik(
    nik: str,
    *,
    birth_date: date,
    sex: Sex,
    on: date,
    registry: RegionRegistry,
) -> NikCheck:
    """Validate a NIK against the recorded birth date and sex, as of the check date `on`.

    Raises `InvalidNik` for a blocking problem (not 16 digits, an impossible birth date, serial
    0000). Returns the facts otherwise; an unknown region or mismatching digits show up in
    `NikCheck.flags`.
    """
    parts = _split_nik(nik)
    decoded_sex, day = _decode_sex_and_day(parts.day_digits)
    decoded_birth_date = _decode_birth_date(day, parts.month, parts.year_digits, on)
    if parts.serial == 0:
        raise InvalidNik("NIK serial must not be 0000", rule="NIK_SERIAL_ZERO")
    region_code = _format_prefix(parts.prefix6)
    region_known = registry.is_known_nik_prefix(parts.prefix6)
    region_name = registry.name_of(RegionScheme.KEMENDAGRI, region_code) if region_known else None
    # The NIK carries only two year digits, so compare those rather than the guessed century.
    birth_digits_consistent = (day, parts.month, parts.year_digits) == (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    )
    return NikCheck(
        format_ok=True,
        region_code=region_code,
        region_known=region_known,
        region_name=region_name,
        region_edition=registry.edition,
        decoded_birth_date=decoded_birth_date,
        decoded_sex=decoded_sex,
        birth_digits_consistent=birth_digits_consistent,
        sex_digits_consistent=decoded_sex is sex,
        is_synthetic=parts.serial in SYNTHETIC_NIK_SERIALS,
        birth_date=birth_date,
        checked_on=on,
    )


def is_synthetic_nik(nik: str) -> bool:
    """Whether a well-formed NIK's serial lies in the range reserved for demo data."""
    if not isinstance(nik, str) or _SIXTEEN_DIGITS.fullmatch(nik) is None:
        return False
    return int(nik[12:]) in SYNTHETIC_NIK_SERIALS


def make_nik(kecamatan_code6: str, birth_date: date, sex: Sex, serial: int) -> str:
    """Compose a NIK from its parts; the demo generator passes serials from
    `SYNTHETIC_NIK_SERIALS`. `kecamatan_code6` may be ``650302`` or ``65.03.02``."""
    prefix = kecamatan_code6.replace(".", "")
    if _DIGITS.fullmatch(prefix) is None or len(prefix) != 6:
        raise ValueError("kecamatan code must have six digits")
    if not 1 <= serial <= 9999:
        raise ValueError("NIK serial must be 1-9999")
    day = birth_date.day + (_FEMALE_DAY_OFFSET if sex is Sex.FEMALE else 0)
    return f"{prefix}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


# --- No. KK --------------------------------------------------------------------------------------


def check_kk(kk: str) -> None:
    """Validate a family card number: 16 digits whose middle six are a real recording date.

    The date part is ``DDMMYY`` without the +40 that NIKs use for women. Raises `InvalidKk`.
    """
    if not isinstance(kk, str) or _SIXTEEN_DIGITS.fullmatch(kk) is None:
        raise InvalidKk("No. KK must be exactly 16 digits", rule="KK_NOT_16_DIGITS")
    day, month, year_digits = int(kk[6:8]), int(kk[8:10]), int(kk[10:12])
    # Either century will do: the question is only whether DD/MM/YY is a calendar date.
    if not any(_real_date(c + year_digits, month, day) for c in (1900, 2000)):
        raise InvalidKk(
            "No. KK recording date digits are not a real calendar date",
            rule="KK_RECORDING_DATE_IMPOSSIBLE",
        )
