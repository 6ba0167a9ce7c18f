from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, Unit
from enterprises.models import Place
from issues.models import IssueItem
from tabular import inputs

from . import selectors
from .models import Meeting


class MeetingForm(inputs.TextLimits, forms.ModelForm):
    """The record of a meeting (R2). Attendees are chosen among city leaders
    and the principal leaders of the departments; the items among the open
    items of the region's towns."""

    places = forms.ModelMultipleChoiceField(
        label=_("涉及镇（街道）"),
        queryset=Place.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("参会领导和部门负责人"),
        queryset=Cadre.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    items = forms.ModelMultipleChoiceField(
        label=_("研究的问题"),
        queryset=IssueItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Meeting
        fields = ["coordinator", "held_on", "location", "places", "attendees", "invited_officials",
                  "invited_owners", "topics", "decisions"]  # fmt: skip
        widgets = {
            "held_on": inputs.DateInput(),
            "topics": forms.Textarea(attrs={"rows": 4}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
            "invited_officials": forms.Textarea(attrs={"rows": 2}),
            "invited_owners": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, coordinator=None, can_choose_coordinator=False, **kwargs):
        super().__init__(*args, **kwargs)
        heads = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).values("principal_leader")
        self.fields["attendees"].queryset = (
            Cadre.objects.filter(Q(rank=Cadre.Rank.CITY_LEADER) | Q(pk__in=heads), is_active=True)
            .select_related("unit")
            .order_by("unit__sort_order", "name")
        )
        self.fields["coordinator"].queryset = Cadre.objects.filter(is_coordinator=True, is_active=True)
        if not can_choose_coordinator:
            self.fields["coordinator"].disabled = True
        if coordinator is None and self.instance.coordinator_id:
            coordinator = self.instance.coordinator
        region = selectors.region_place_ids(coordinator) if coordinator else []
        if not self.instance.pk:
            self.initial.setdefault("places", region)
        else:
            self.initial["items"] = list(self.instance.items.values_list("pk", flat=True))
        self.fields["items"].queryset = selectors.discussable_items(region, self.instance)
        self.fields["items"].label_from_instance = lambda item: (
            f"{item.enterprise.name}：{item.description[:40]}（{item.get_status_display()}）"
        )
        self.fields["attendees"].label_from_instance = lambda cadre: f"{cadre.name}（{cadre.unit.name}）"


class DecisionForm(inputs.TextLimits, forms.Form):
    decision = inputs.text_field(_("决定"), inputs.PROBLEM, rows=2)


class EscalateForm(inputs.TextLimits, forms.Form):
    leader = forms.ModelChoiceField(
        label=_("呈报市级领导"), queryset=Cadre.objects.filter(rank=Cadre.Rank.CITY_LEADER, is_active=True)
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("涉及部门（至少两个）"),
        queryset=Unit.objects.filter(kind=Unit.Kind.DEPARTMENT),
        widget=forms.CheckboxSelectMultiple,
    )
    request = inputs.text_field(_("呈报事项"), inputs.PROBLEM, rows=2, required=False)
