"""What a single spreadsheet cell may carry, in and out.

Out: a text cell that starts with ``= + - @``, a tab or a carriage return is
read by Excel and WPS as a formula (CSV/formula injection, OWASP). Every export
of this system passes its cells through :func:`neutralise_formula`, which
prefixes such text with an apostrophe so it is shown, never evaluated.

In: people type codes and phone numbers with full-width digits (１３８…) from a
Chinese IME and with stray spaces; :func:`compact_code` normalises them.
"""

import re
import unicodedata

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Full-width ASCII block U+FF01..U+FF5E maps to U+0021..U+007E; U+3000 is the
# ideographic space.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20
_ALL_SPACE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")


def neutralise_formula(value):
    """Make a cell value safe to open in a spreadsheet. Non-text passes through."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def restore_neutralised(value):
    """Undo :func:`neutralise_formula` on import, so an exported file re-imports
    to the same text."""
    if (
        isinstance(value, str)
        and len(value) > 1
        and value[0] == "'"
        and value.startswith(FORMULA_TRIGGERS, 1)
    ):
        return value[1:]
    return value


def to_halfwidth(text):
    """Full-width ASCII letters, digits and punctuation to their half-width form.

    Only that block: Chinese full-width parentheses in company names are left
    alone, unlike NFKC, which would rewrite them."""
    return text.translate(_HALFWIDTH)


def clean_text(value):
    """Trim a text cell: surrounding spaces of any width, zero-width marks."""
    if value is None:
        return None
    if not isinstance(value, str):
        return value
    value = value.strip().strip("\u3000\u00a0\u200b\ufeff").strip()
    return value


def compact_code(value):
    """A code or phone number as typed: half-width, no spaces, upper case."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a numeric cell
    text = value if isinstance(value, str) else str(value)
    if text.isascii():  # nothing to make half-width; str.split() takes the same spaces
        return "".join(text.split()).upper()
    text = unicodedata.normalize("NFKC", to_halfwidth(text))
    return _ALL_SPACE.sub("", text).upper()


def is_blank(value):
    return value is None or (isinstance(value, str) and clean_text(value) == "")
