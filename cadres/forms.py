from django import forms
from django.utils.translation import gettext_lazy as _

from tabular.phone import normalise_mobile, validate_mobile


class MobileField(forms.CharField):
    """Accepts 139 1234 5678, 139-1234-5678, +86… and full-width digits."""

    def __init__(self, *args, max_length=None, **kwargs):
        super().__init__(*args, max_length=None, **kwargs)

    def to_python(self, value):
        return normalise_mobile(super().to_python(value))


class ContactForm(forms.Form):
    """An enterprise's contact on the cadres' pages (issue 17); the rules
    (a mobile, once per enterprise) are the service's."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    role = forms.CharField(
        label=_("职务"), max_length=50, required=False, help_text=_("如董事长、总经理、办公室主任。")
    )
    mobile = MobileField(
        label=_("手机号"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_mobile(self):
        mobile = self.cleaned_data["mobile"]
        validate_mobile(mobile)
        return mobile
