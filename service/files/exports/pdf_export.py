"""A report as an A4 PDF for printing and signing: title, metadata, tables, page numbers.

Text uses the PDF core font Helvetica, which every reader has and which needs no font file.
fpdf2 ships no TrueType font, and one from the system would make the output depend on the
machine, so text is converted to Latin-1 explicitly (`to_latin1`): Indonesian is written in
ASCII, Latin-1 covers the accented letters of most names, typographic quotes and dashes become
their ASCII forms, letters with an accent Latin-1 lacks lose the accent, and anything else
becomes ``?`` instead of failing the export.

The same report gives the same bytes (for the same fpdf2 version): the creation date is the
report's `generated_at`, and fpdf2 derives the file identifier from the content.
"""

from __future__ import annotations

import unicodedata

from fpdf import FPDF
from fpdf.fonts import FontFace

from service.files.exports.indonesian import format_cell_id
from service.files.exports.model import Kind, Report, Table
from service.i18n.formats import datetime_id

FONT = "Helvetica"
TABLE_FONT_SIZE = 8
CELL_PADDING = 1.5  # mm
HEADINGS_STYLE = FontFace(emphasis="BOLD", fill_color=(225, 225, 225))
TOTALS_STYLE = FontFace(emphasis="BOLD")
TOTAL_LABEL = "Jumlah"
NO_ROWS = "Tidak ada data"
# Start a table on a new page rather than leave its title and header alone at the bottom.
MIN_SPACE_FOR_A_TABLE = 30  # mm

_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u2022": "*",
        "\u2009": " ",
        "\u202f": " ",
    }
)


def to_pdf(report: Report) -> bytes:
    """The report as PDF bytes on A4 portrait."""
    pdf = PagedPdf(to_latin1(report.footer_note))
    pdf.set_title(to_latin1(report.title))
    pdf.set_author("Jejak")
    pdf.set_creator("Jejak")
    pdf.set_lang("id")
    pdf.set_creation_date(report.generated_at)
    pdf.add_page()
    _title_block(pdf, report)
    for table in report.sections:
        write_table(pdf, table)
    return bytes(pdf.output())


def to_latin1(text: str) -> str:
    """`text` with every character the core fonts can print: see the module docstring."""
    text = text.translate(_TYPOGRAPHIC)
    return "".join(char if _is_latin1(char) else _nearest_latin1(char) for char in text)


def _is_latin1(char: str) -> bool:
    return ord(char) < 256


def _nearest_latin1(char: str) -> str:
    # Decomposing drops the accents Latin-1 lacks ("ő" -> "o"); a letter with no Latin base,
    # as in non-Latin scripts, has nothing left and prints as "?".
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if _is_latin1(c))
    return base or "?"


class PagedPdf(FPDF):
    """A4 with the report's note and "Halaman n dari m" at the foot of every page."""

    def __init__(self, footer_note: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_note = footer_note
        self.set_auto_page_break(auto=True, margin=22)
        self.set_margins(left=15, top=15, right=15)

    def footer(self) -> None:
        self.set_y(-18)
        self.set_draw_color(160)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_font(FONT, size=7)
        self.multi_cell(0, 3.5, self.footer_note, new_x="LMARGIN", new_y="NEXT")
        # fpdf2 replaces {nb} with the page count when the document is finished.
        self.cell(0, 4, f"Halaman {self.page_no()} dari {{nb}}", align="R")


def _title_block(pdf: FPDF, report: Report) -> None:
    pdf.set_font(FONT, style="B", size=14)
    pdf.multi_cell(0, 7, to_latin1(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=11)
    pdf.multi_cell(0, 6, to_latin1(report.subtitle), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    lines = [*report.metadata, ("Dibuat", datetime_id(report.generated_at))]
    pdf.set_font(FONT, size=9)
    for label, value in lines:
        pdf.set_font(style="B")
        pdf.cell(45, 5, to_latin1(label))
        pdf.set_font(style="")
        pdf.multi_cell(0, 5, to_latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def write_table(pdf: FPDF, table: Table) -> None:
    if pdf.will_page_break(MIN_SPACE_FOR_A_TABLE):
        pdf.add_page()
    pdf.set_font(FONT, style="B", size=11)
    pdf.multi_cell(0, 7, to_latin1(table.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=TABLE_FONT_SIZE)
    body = [
        [to_latin1(format_cell_id(c.kind, v)) for c, v in zip(table.columns, row, strict=True)]
        for row in table.cells
    ]
    totals = _totals_row(table)
    titles = [to_latin1(column.title) for column in table.columns]
    widths = _column_widths(
        pdf,
        bold=[titles, *([totals] if totals else [])],
        plain=body,
        whole=[column.kind.is_numeric or column.kind is Kind.DATE for column in table.columns],
    )
    with pdf.table(
        width=min(sum(widths), pdf.epw),  # summing floats may overshoot the page by a hair
        col_widths=widths,
        align="LEFT",
        text_align=tuple("RIGHT" if c.kind.is_numeric else "LEFT" for c in table.columns),
        headings_style=HEADINGS_STYLE,
        padding=CELL_PADDING,
        line_height=pdf.font_size * 1.4,
        repeat_headings=1,  # the header row again at the top of every page the table spans
    ) as pdf_table:
        pdf_table.row(titles)
        for cells in body:
            pdf_table.row(cells)
        if not body:
            pdf_table.row().cell(NO_ROWS, colspan=len(titles))
        if totals:
            pdf_table.row(totals, style=TOTALS_STYLE)
    pdf.ln(6)


def _totals_row(table: Table) -> list[str] | None:
    if not table.totals:
        return None
    cells = [
        "" if (total := table.total_for(c)) is None else format_cell_id(c.kind, total)
        for c in table.columns
    ]
    # The label goes in the first column without a total, if there is one.
    label_at = next((i for i, c in enumerate(table.columns) if table.total_for(c) is None), None)
    if label_at is not None:
        cells[label_at] = TOTAL_LABEL
    return cells


def _column_widths(
    pdf: FPDF, bold: list[list[str]], plain: list[list[str]], whole: list[bool]
) -> list[float]:
    """Each column as wide as its widest text; if they overflow the page, text columns give
    up width first.

    A wrapped amount (``Rp 3.000.00`` over ``0``) misleads, a date over three lines is hard
    to scan, and a word broken mid-way reads badly, so `whole` columns (amounts, numbers,
    dates) keep their full width and the other columns shrink towards their longest word,
    wrapping between words. When even that does not fit, they break inside words; only when
    the whole columns alone overflow is every column shrunk in proportion.
    """
    natural = [0.0] * len(bold[0])
    least = [0.0] * len(bold[0])
    for style, rows in (("B", bold), ("", plain)):
        pdf.set_font(style=style)
        for row in rows:
            for index, text in enumerate(row):
                natural[index] = max(natural[index], pdf.get_string_width(text))
                longest_word = max((pdf.get_string_width(w) for w in text.split()), default=0.0)
                least[index] = max(least[index], longest_word)
    pdf.set_font(style="")
    padding = 2 * CELL_PADDING + 1
    widest = [width + padding for width in natural]
    if sum(widest) <= pdf.epw:
        return widest
    narrowest = [
        width if keep else word + padding
        for width, word, keep in zip(widest, least, whole, strict=True)
    ]
    if sum(narrowest) >= pdf.epw:
        return _shrink_text_columns(narrowest, whole, pdf.epw)
    # Share the page's remaining width among the text columns in proportion to what each
    # would need to print unwrapped.
    share = (pdf.epw - sum(narrowest)) / (sum(widest) - sum(narrowest))
    return [low + (high - low) * share for low, high in zip(narrowest, widest, strict=True)]


def _shrink_text_columns(widths: list[float], whole: list[bool], page: float) -> list[float]:
    """`widths` fitted to `page` by capping the widest text columns at one common width, so
    that narrow text (a code, a short label) stays whole and only long text breaks inside
    words. Every column shrinks in proportion if the whole ones alone are wider than the page."""
    kept = sum(width for width, keep in zip(widths, whole, strict=True) if keep)
    texts = sorted(width for width, keep in zip(widths, whole, strict=True) if not keep)
    if kept >= page or not texts:
        return [width * page / sum(widths) for width in widths]
    room = page - kept
    # The cap: the narrowest text columns keep their width while the rest share what is left.
    cap = room / len(texts)
    for done, width in enumerate(texts):
        cap = room / (len(texts) - done)
        if width > cap:
            break
        room -= width
    return [width if keep else min(width, cap) for width, keep in zip(widths, whole, strict=True)]
