"""Official letters as A4 PDFs: a notice to a woman of what was erased, the copy of her own
data, a breach notice, a berita acara. One layout for all of them, in Indonesian.

A letter is a heading with the office's name, a number and subject block, the addressee, then
paragraphs, labelled facts and tables, and a signature block naming the position that signs.
It uses the report PDF's page and table layout (`service/files/exports/pdf_export.py`): the
core font, text folded to Latin-1, "Halaman n dari m" at the foot of every page.

The same letter gives the same bytes: the creation date is the letter's `written_at`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from service.files.exports.model import Table
from service.files.exports.pdf_export import FONT, PagedPdf, to_latin1, write_table
from service.i18n.formats import date_id, datetime_id

# The office every letter of the programme comes from (domain research §1).
OFFICE = "Dinas Sosial, Tenaga Kerja dan Transmigrasi Provinsi Kalimantan Utara"
PROGRAMME = "Program Rehabilitasi Sosial dan Pemulangan"
PLACE = "Tanjung Selor"
LINE_HEIGHT = 5.5  # mm, for 10-point body text
LABEL_WIDTH = 55  # mm, the left column of labelled facts


@dataclass(frozen=True)
class Signatory:
    """Who signs: a position, and the account that produced the letter (never a private
    person's details; the official signs the printed letter by hand)."""

    position: str
    name: str = ""


@dataclass(frozen=True)
class Letter:
    """What a letter says, in the order it is printed.

    `facts` are labelled lines (label, value) printed as a two-column block after the
    paragraphs; `tables` follow them; `closing` paragraphs come after the tables, before the
    signature.
    """

    title: str
    number: str
    subject: str
    recipient: Sequence[str]
    paragraphs: Sequence[str]
    written_at: datetime
    signatory: Signatory
    facts: Sequence[tuple[str, str]] = ()
    tables: Sequence[Table] = ()
    closing: Sequence[str] = ()
    footer_note: str = field(default="")
    place: str = PLACE

    def __post_init__(self) -> None:
        if self.written_at.utcoffset() is None:
            raise ValueError("written_at must be timezone-aware")
        if not self.number.strip():
            raise ValueError("a letter needs its number")


def letter_pdf(letter: Letter) -> bytes:
    """The letter as PDF bytes on A4 portrait."""
    note = letter.footer_note or f"{letter.title} - {letter.number}"
    pdf = PagedPdf(to_latin1(note))
    pdf.set_title(to_latin1(f"{letter.title} {letter.number}"))
    pdf.set_author("Jejak")
    pdf.set_creator("Jejak")
    pdf.set_lang("id")
    pdf.set_creation_date(letter.written_at)
    pdf.add_page()
    _letterhead(pdf)
    _heading(pdf, letter)
    _body(pdf, letter.paragraphs)
    _facts(pdf, letter.facts)
    for table in letter.tables:
        write_table(pdf, table)
    _body(pdf, letter.closing)
    _signature(pdf, letter)
    return bytes(pdf.output())


def _letterhead(pdf: PagedPdf) -> None:
    pdf.set_font(FONT, style="B", size=11)
    pdf.multi_cell(0, 5.5, to_latin1(OFFICE.upper()), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(0, 4.5, to_latin1(PROGRAMME), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(0)
    pdf.set_line_width(0.6)
    y = pdf.get_y() + 1.5
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_line_width(0.2)
    pdf.set_y(y + 4)


def _heading(pdf: PagedPdf, letter: Letter) -> None:
    pdf.set_font(FONT, size=10)
    when = f"{letter.place}, {date_id(letter.written_at.date())}"
    pdf.cell(0, LINE_HEIGHT, to_latin1(when), align="R", new_x="LMARGIN", new_y="NEXT")
    for label, value in (("Nomor", letter.number), ("Perihal", letter.subject)):
        pdf.cell(22, LINE_HEIGHT, label)
        pdf.multi_cell(0, LINE_HEIGHT, to_latin1(f": {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.cell(0, LINE_HEIGHT, "Kepada Yth.", new_x="LMARGIN", new_y="NEXT")
    for line in letter.recipient:
        pdf.multi_cell(0, LINE_HEIGHT, to_latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, style="B", size=12)
    pdf.multi_cell(
        0, 6.5, to_latin1(letter.title.upper()), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(3)


def _body(pdf: PagedPdf, paragraphs: Sequence[str]) -> None:
    pdf.set_font(FONT, size=10)
    for paragraph in paragraphs:
        pdf.multi_cell(
            0, LINE_HEIGHT, to_latin1(paragraph), align="J", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(2)


def _facts(pdf: PagedPdf, facts: Sequence[tuple[str, str]]) -> None:
    if not facts:
        return
    pdf.set_font(FONT, size=10)
    for label, value in facts:
        pdf.set_font(style="B")
        top = pdf.get_y()
        pdf.multi_cell(LABEL_WIDTH, LINE_HEIGHT, to_latin1(label), new_x="RIGHT", new_y="TOP")
        label_bottom = pdf.get_y() if pdf.get_y() > top else top + LINE_HEIGHT
        pdf.set_font(style="")
        pdf.set_xy(pdf.l_margin + LABEL_WIDTH, top)
        pdf.multi_cell(0, LINE_HEIGHT, to_latin1(f": {value}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), label_bottom))
    pdf.ln(4)


def _signature(pdf: PagedPdf, letter: Letter) -> None:
    # Keep the signature block together on one page.
    if pdf.will_page_break(40):
        pdf.add_page()
    pdf.ln(6)
    pdf.set_font(FONT, size=10)
    left = pdf.w / 2 + 5
    for line in (
        letter.signatory.position,
        "",
        "",
        "",
        letter.signatory.name or "( ............................ )",
    ):
        pdf.set_x(left)
        pdf.multi_cell(0, LINE_HEIGHT, to_latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, size=7)
    pdf.set_x(pdf.l_margin)
    printed = f"Dicetak dari Jejak pada {datetime_id(letter.written_at)}"
    pdf.multi_cell(0, 3.5, to_latin1(printed), new_x="LMARGIN", new_y="NEXT")
