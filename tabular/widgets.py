"""Import/export widgets for the way this office writes dates, numbers and yes/no."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.functional import cached_property
from import_export import widgets

from .cells import clean_text, to_halfwidth

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


class DateFormatError(ValueError):
    pass


def parse_chinese_date(value):
    """Year first, always: 2026-04-15, 2026/4/15, 2026.4.15, 2026年4月15日, 20260415.

    Month-first forms (04/15/2026) are refused rather than guessed."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 <= value <= 80000:
        # An Excel date serial (days since 1899-12-30), as a cell formatted as
        # a number shows a date: 46108 is 2026-03-27.
        return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
    text = to_halfwidth(clean_text(str(value)))
    if text == "":
        return None
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{1,2}-\d{1,2} 00:00(:00)?$", text) else text
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                break
    raise DateFormatError(
        f"日期“{value}”无效，请写作 2026-04-15 这样的年-月-日。"
        f" / “{value}” is not a valid date; write it as YYYY-MM-DD."
    )


class ChineseDateWidget(widgets.DateWidget):
    def __init__(self):
        super().__init__(format="%Y-%m-%d")

    def clean(self, value, row=None, **kwargs):
        return parse_chinese_date(value)


class NumberFormatError(ValueError):
    pass


def _number_text(value):
    text = to_halfwidth(clean_text(str(value))).replace(",", "").replace("，", "")
    return text


class ChineseDecimalWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and clean_text(value) == ""):
            return None
        try:
            return Decimal(_number_text(value))
        except InvalidOperation:
            raise NumberFormatError(f"“{value}”不是数字。 / “{value}” is not a number.") from None


class ChineseIntegerWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and clean_text(value) == ""):
            return None
        try:
            number = Decimal(_number_text(value))
        except InvalidOperation:
            number = None
        if number is None or number != number.to_integral_value():
            raise NumberFormatError(f"“{value}”不是整数。 / “{value}” is not a whole number.")
        return int(number)


class YesNoWidget(widgets.BooleanWidget):
    """是/否 in the sheet; also accepts 1/0, true/false, Y/N, √/×."""

    TRUE = {"是", "1", "true", "y", "yes", "√", "对"}
    FALSE = {"否", "0", "false", "n", "no", "×", "x", ""}

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        text = to_halfwidth(clean_text(str(value))).lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"“{value}”应为“是”或“否”。 / “{value}” must be 是 (yes) or 否 (no).")

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class ChoiceLabelWidget(widgets.Widget):
    """A choices field written with its Chinese label (重点联系); the stored value
    and the English label are accepted too. Exports always use the Chinese label:
    the office's sheets are Chinese whatever language the exporter reads."""

    def __init__(self, choices):
        self.choices = choices

    @cached_property
    def _maps(self):
        by_label, by_value = {}, {}
        for language in ("en", "zh-hans"):  # Chinese last, so it wins for rendering
            with translation.override(language):
                for value, label in self.choices:
                    by_label[str(label)] = value
                    by_value[value] = str(label)
        return by_label, by_value

    def clean(self, value, row=None, **kwargs):
        by_label, by_value = self._maps
        text = clean_text(value) if value is not None else ""
        if text == "":
            return ""
        if text in by_label:
            return by_label[text]
        if text in by_value:
            return text
        allowed = "、".join(by_value.values())
        raise ValueError(f"“{text}”不是可选值（可选：{allowed}）。 / “{text}” is not one of: {allowed}.")

    def render(self, value, obj=None, **kwargs):
        return self._maps[1].get(value, value or "")
