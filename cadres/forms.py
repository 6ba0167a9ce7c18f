from django import forms

from tabular.phone import normalise_mobile


class MobileField(forms.CharField):
    """Accepts 139 1234 5678, 139-1234-5678, +86… and full-width digits."""

    def __init__(self, *args, max_length=None, **kwargs):
        super().__init__(*args, max_length=None, **kwargs)

    def to_python(self, value):
        return normalise_mobile(super().to_python(value))
