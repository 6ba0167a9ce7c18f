"""Reading a sheet the way an office writes it.

A register circulated by a municipal office rarely starts with its header:
a merged title row (``2025年桐乡市企业名册``), a note (``单位：万元``,
``填报单位：…``) and blank rows come first; the header's wording differs from
ours (``所在镇(街道)`` with half-width brackets, ``2025年营业收入（万元）``,
``联系电话``), and a 合计 row closes the table. This module

- finds the header row (:func:`locate_header`) and keeps the text above it as
  notes, whose ``单位：X`` applies to money columns whose header names no unit;
- normalises a header for matching (:func:`header_key`): full to half width,
  no spaces, brackets unified, a leading year (``2025年``, ``2025年度``) and a
  unit in brackets taken off and returned separately (:func:`parse_header`);
- recognises total rows (:func:`is_total_row`).

Row numbers stay those of the sheet, so a message names the row the user sees.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .cells import clean_text, to_halfwidth

SCAN_ROWS = 30

# Money units, as a factor to 万元 (the unit every money field is stored in).
UNITS = {
    "元": Decimal("0.0001"),
    "千元": Decimal("0.1"),
    "万元": Decimal("1"),
    "亿元": Decimal("10000"),
}
_UNIT_IN_BRACKETS = re.compile(r"\((?:单位[:：]?)?(元|千元|万元|亿元)\)")
_UNIT_NOTE = re.compile(r"(?:^|[\s,，;；])(?:金额)?单位[:：]\s*(元|千元|万元|亿元)")
_YEAR_PREFIX = re.compile(r"^((?:19|20)\d{2})年(?:度)?")
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_TOTAL = re.compile(r"^(合计|小计|总计|总合计|累计)[:：]?$")
_TOTAL_FIRST = ("合", "小", "总", "累")


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value)) or ""


@dataclass
class Header:
    key: str  # normalised, for matching
    unit: str | None = None  # 万元 etc. named in the header
    year: int | None = None  # a leading 2025年


def parse_header(text):
    """``2025年营业收入（万元）`` → ``Header("营业收入", "万元", 2025)``."""
    text = to_halfwidth(_text(text))
    text = _SPACES.sub("", text)
    text = text.replace("【", "(").replace("】", ")").replace("〔", "(").replace("〕", ")")
    unit = None
    match = _UNIT_IN_BRACKETS.search(text)
    if match:
        unit = match.group(1)
        text = text[: match.start()] + text[match.end() :]
    year = None
    match = _YEAR_PREFIX.match(text)
    if match:
        year = int(match.group(1))
        text = text[match.end() :]
    text = text.rstrip(":：*")
    return Header(text, unit, year)


def header_key(text):
    return parse_header(text).key


def sheet_unit(notes):
    """The unit a note above the header declares (``单位：万元``), or None."""
    for note in notes:
        match = _UNIT_NOTE.search(to_halfwidth(note))
        if match:
            return match.group(1)
    return None


def is_total_row(values):
    """A 合计 / 小计 / 总计 row: one of its first cells says so."""
    for value in list(values)[:4]:
        if not isinstance(value, str) or not value.strip().startswith(_TOTAL_FIRST):
            continue
        if _TOTAL.match(_SPACES.sub("", _text(value))):
            return True
    return False


_NOTE = re.compile(r"[:：]|^(截至|截止|填报|制表|注)")


def _is_note(value):
    """``填报单位：经信局``, ``单位：万元``, ``截至2026年3月``: a note, not a header."""
    return bool(_NOTE.search(to_halfwidth(_text(value))))


@dataclass
class Located:
    header_index: int  # 0-based index of the header row in the rows read
    notes: list = field(default_factory=list)


def locate_header(rows):
    """The header is the first row, among the first :data:`SCAN_ROWS`, whose
    non-blank cells are all text, at least two, and at least 60 % as many as the
    fullest row scanned. A merged title or a note has one or two cells; a data
    row has numbers. ``rows``: the first rows of the sheet (lists of values)."""
    counts = []
    for row in rows[:SCAN_ROWS]:
        filled = [v for v in row if _text(v) != ""]
        all_text = all(isinstance(v, str) for v in filled)
        counts.append((len(filled), all_text and not all(_is_note(v) for v in filled)))
    widest = max((c for c, _ in counts), default=0)
    for index, (count, header_like) in enumerate(counts):
        if count >= 2 and header_like and count >= 0.6 * widest:
            notes = [" ".join(_text(v) for v in rows[i] if _text(v)) for i in range(index)]
            return Located(index, [n for n in notes if n])
    return Located(0, [])
