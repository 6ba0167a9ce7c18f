"""Forms of the six-doubling registry: the extra fields of the category-list
import (category, statistics year, effective date), the derivation form and
the membership form's no-overlap check."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm

from tabular import inputs
from tabular.admin import SafeImportForm

from . import services
from .models import Membership
from .rules import REVENUE_CATEGORIES, Category

YEAR_HELP = _("名单所依据的统计年度，例如 2025 年规上企业名单填 2025。")
EFFECTIVE_HELP = _(
    "名单生效的日期：留空为统计年度次年的 1 月 1 日。新企业从这一天纳入，名单外的企业在前一天退出。"
)


def _year_field():
    return forms.IntegerField(label=_("统计年度"), min_value=2000, max_value=2100, help_text=YEAR_HELP)


def _effective_field():
    return forms.DateField(
        label=_("生效日期"),
        required=False,
        help_text=EFFECTIVE_HELP,
        widget=inputs.DateInput(),
    )


class ListParameters:
    """The category list's context, shared by the upload and confirm steps."""

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        if year and not cleaned.get("effective_on"):
            cleaned["effective_on"] = services.default_effective_on(year)
        effective_on = cleaned.get("effective_on")
        if year and effective_on and effective_on < datetime.date(year, 1, 1):
            self.add_error("effective_on", _("生效日期不能早于统计年度开始。"))
        return cleaned

    def list_kwargs(self):
        data = getattr(self, "cleaned_data", None) or {}
        return {
            "category": data.get("category"),
            "year": data.get("year"),
            "effective_on": data.get("effective_on"),
            "missing": data.get("missing") or "",
        }


MISSING_LABEL = _("名单中不在企业库的企业")
MISSING_CHOICES = [("add", _("加入企业库（按名单上的企业名称和所在镇）")), ("skip", _("不导入这些企业"))]


class CategoryListImportForm(ListParameters, SafeImportForm):
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    year = _year_field()
    effective_on = _effective_field()
    missing = forms.ChoiceField(
        label=MISSING_LABEL,
        choices=[("", _("先在预览中列出，再选择")), *MISSING_CHOICES],
        required=False,
    )
    field_order = ["category", "year", "effective_on", "missing", "resource", "import_file", "format"]


class CategoryListConfirmForm(ListParameters, ConfirmImportForm):
    category = forms.ChoiceField(choices=Category.choices, widget=forms.HiddenInput)
    year = forms.IntegerField(widget=forms.HiddenInput)
    effective_on = forms.DateField(widget=forms.HiddenInput)
    missing = forms.ChoiceField(
        label=MISSING_LABEL, choices=MISSING_CHOICES, required=False, widget=forms.RadioSelect
    )


class DerivationForm(ListParameters, forms.Form):
    """规上 / 亿元 membership from a year's revenue figures."""

    category = forms.ChoiceField(label=_("类别"), choices=[(c.value, c.label) for c in REVENUE_CATEGORIES])
    year = _year_field()
    effective_on = _effective_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = [
            "enterprise",
            "category",
            "started_on",
            "ended_on",
            "end_reason",
            "source",
            *services.EVIDENCE_FIELDS,
        ]

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        problem = services.overlap_problem(self.instance)
        if problem:
            self.add_error("started_on", problem)
