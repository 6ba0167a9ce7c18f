from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import Unit

from . import workflow
from .models import IssueItem


class AnswerForm(forms.Form):
    measures = forms.CharField(
        label=_("采取的措施"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    result = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionForm(forms.Form):
    extra_working_days = forms.IntegerField(label=_("申请延长（工作日）"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    return_reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 2}))


class MoveForm(forms.Form):
    """Move an item along its path; the choices are the moves the table allows."""

    to_status = forms.ChoiceField(label=_("办理为"))
    comment = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    reason = forms.CharField(
        label=_("原因（无法解决或撤回时必填）"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    enterprise_confirmed = forms.BooleanField(label=_("企业已确认撤回"), required=False)

    def __init__(self, *args, item: IssueItem, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = [s for s in workflow.TRANSITIONS[item.status] if s not in (IssueItem.Status.REFERRED,)]
        self.fields["to_status"].choices = [(s.value, s.label) for s in IssueItem.Status if s in allowed]


class ReferForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("承办部门"), queryset=Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).order_by("sort_order")
    )
    working_days = forms.IntegerField(label=_("办理时限（工作日）"), min_value=1, max_value=90)
    requirement = forms.CharField(
        label=_("办理要求"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
