"""The feedback form (Attachment 1) as the cadre fills it in a phone browser,
without JavaScript."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, Pairing
from tabular import inputs

from .models import ProblemCategory, Visit

PROBLEM_ROWS = 2


class VisitForm(inputs.TextLimits, forms.ModelForm):
    class Meta:
        model = Visit
        fields = [
            "visit_date",
            "mode",
            "companions",
            "other_companions",
            "met_head",
            "talked_to_workers",
            "output_value",
            "sales",
            "tax",
            "employees",
            "situation",
            "urgent_services",
            "policies_explained",
            "suggestions",
        ]
        widgets = {
            "visit_date": inputs.DateInput(),
            "mode": forms.RadioSelect,
            "companions": forms.CheckboxSelectMultiple,
            "output_value": forms.NumberInput(attrs={"min": 0, "step": "0.01", "inputmode": "decimal"}),
            "sales": forms.NumberInput(attrs={"min": 0, "step": "0.01", "inputmode": "decimal"}),
            "tax": forms.NumberInput(attrs={"min": 0, "step": "0.01", "inputmode": "decimal"}),
            "employees": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "situation": forms.Textarea(attrs={"rows": 4}),
            "urgent_services": forms.Textarea(attrs={"rows": 3}),
            "policies_explained": forms.Textarea(attrs={"rows": 3}),
            "suggestions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, pairing: Pairing, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairing = pairing
        self.instance.pairing = pairing
        self.instance.cadre_id = pairing.cadre_id
        self.instance.enterprise_id = pairing.enterprise_id
        today = timezone.localdate()
        self.fields["visit_date"].widget.attrs["max"] = today.isoformat()
        self.fields["visit_date"].widget.attrs["min"] = pairing.start_date.isoformat()
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("visit_date", today)
        # Companions whose pairings this visit also counts for: the other
        # cadres linking the same enterprise now (R6, R7).
        self.fields["companions"].queryset = (
            Cadre.objects.filter(is_active=True)
            .filter(
                pk__in=Pairing.objects.active_on(today)
                .filter(enterprise_id=pairing.enterprise_id)
                .values("cadre")
            )
            .exclude(pk=pairing.cadre_id)
            .select_related("unit")
            .order_by("unit__sort_order", "name")
        )
        self.fields["companions"].help_text = _("勾选一同走访的联系干部：这次走访也计入他们与本企业的结对。")


class ProblemForm(inputs.TextLimits, forms.Form):
    category = forms.ChoiceField(
        label=_("问题类别"), choices=[("", "——")] + list(ProblemCategory.choices), required=False
    )
    description = inputs.text_field(_("问题描述"), inputs.PROBLEM, rows=2, required=False)

    def clean(self):
        data = super().clean()
        category, description = data.get("category"), (data.get("description") or "").strip()
        if category and not description and "description" not in self.errors:  # not when too long
            self.add_error("description", _("请填写问题描述。"))
        if description and not category:
            self.add_error("category", _("请选择问题类别。"))
        return data

    @property
    def is_blank(self):
        return not (self.cleaned_data.get("category") or (self.cleaned_data.get("description") or "").strip())


ProblemFormSet = forms.formset_factory(ProblemForm, extra=0, max_num=50, validate_max=True)


def problem_formset(data=None, *, visit=None, extra_rows=0):
    """Bound to the POST when given; otherwise the visit's rows plus blanks.
    ``extra_rows`` adds blank rows to a re-displayed form (no JavaScript)."""
    if data is not None and not extra_rows:
        return ProblemFormSet(data, prefix="problems")
    if data is not None:
        count = int(data.get("problems-TOTAL_FORMS") or 0)
        initial = [
            {
                "category": data.get(f"problems-{i}-category", ""),
                "description": data.get(f"problems-{i}-description", ""),
            }
            for i in range(count)
        ]
    elif visit is not None and visit.pk:
        initial = [{"category": p.category, "description": p.description} for p in visit.problems.all()]
    else:
        initial = []
    formset_class = forms.formset_factory(ProblemForm, extra=max(PROBLEM_ROWS - len(initial), 0) + extra_rows)
    return formset_class(initial=initial, prefix="problems")
