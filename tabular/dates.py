"""Refusing impossible dates, with one sentence for each way a date can be
impossible: before the date it follows from, or after today.

The services call :func:`check_order` before they write anything, so a
refused date leaves no trace and the form it came from is shown again with
the sentence (issue 16.2). Pure: the labels and dates come from the caller.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def order_errors(label, day: datetime.date | None, *, after=(), today: datetime.date | None = None) -> list:
    """The sentences refusing ``day`` (named ``label``): before any
    ``(other label, other date)`` of ``after`` (a None date is skipped), or
    after ``today`` when given."""
    if day is None:
        return []
    errors, day_text = [], day.isoformat()
    for other_label, other in after:
        if other is not None and day < other:
            errors.append(
                _("%(what)s（%(day)s）不能早于%(other)s（%(other_day)s）。")
                % {
                    "what": label,
                    "day": day.isoformat(),
                    "other": other_label,
                    "other_day": other.isoformat(),
                }
            )
    if today is not None and day > today:
        errors.append(
            _("%(what)s（%(day)s）不能晚于今天（%(today)s）。")
            % {"what": label, "day": day_text, "today": today.isoformat()}
        )
    return errors


def check_order(field, label, day, *, after=(), today=None):
    """Raise :class:`ValidationError` on ``field`` with :func:`order_errors`' sentences."""
    errors = order_errors(label, day, after=after, today=today)
    if errors:
        raise ValidationError({field: errors} if field else errors, code="date_order")
