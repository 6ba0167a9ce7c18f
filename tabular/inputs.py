"""Form inputs every app shares (this is the bottom layer, so any app may use
them): the date input and the length limits of free text.

A browser's ``<input type="date">`` reads and writes ISO dates only
(``2026-12-02``); Django's plain ``DateInput`` renders the active locale's
first input format instead, which for zh-hans is ``2026/12/02``, and the
browser then shows the field blank. :class:`DateInput` always renders ISO.

The limits are the number of characters a person may type in a free-text
field: the models carry them as ``max_length`` (so the admin has the same
limit) and the plain forms take them from here. The counter beside each
field (``static/js/text-counter.js``) reads the ``maxlength`` attribute that
Django puts on the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

ISO_DATE = "%Y-%m-%d"

#: a person's or a contact's name
NAME = 50
#: a short title: a place, a plan's name
TITLE = 100
#: a reason, a requirement, a note or opinion, a list of invited people
REASON = 500
#: one problem's description, the measures taken, a result, an instruction, a finding
PROBLEM = 1000
#: an enterprise's situation, a meeting's topics and decisions, a notice
SITUATION = 2000
#: an article (a good practice's body)
ARTICLE = 10000

TOO_LONG = _("最多 %(limit_value)d 字，现在 %(show_value)d 字，请删减后再保存。")


class DateInput(forms.DateInput):
    """``<input type="date">`` that renders its value as ``yyyy-mm-dd`` in every locale."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATE)


def text_field(label, max_length, *, rows=3, required=True):
    """A plain form's free-text field: a textarea of ``rows`` lines holding at
    most ``max_length`` characters (one of the limits above)."""
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": rows}), required=required, max_length=max_length
    )


class TextLimits:
    """Form mixin: a text field over its limit says so in plain Chinese
    (Django's own message speaks of a "变量")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length:
                field.error_messages = {**field.error_messages, "max_length": TOO_LONG}
