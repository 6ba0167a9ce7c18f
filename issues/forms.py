from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import Unit
from tabular.inputs import PROBLEM, REASON, TextLimits, text_field

from . import workflow
from .models import Confirmation, IssueItem


class AnswerForm(TextLimits, forms.Form):
    measures = text_field(_("采取的措施"), PROBLEM, required=False)
    result = text_field(_("办理结果"), PROBLEM)


class ExtensionForm(TextLimits, forms.Form):
    extra_working_days = forms.IntegerField(label=_("申请延长（工作日）"), min_value=1, max_value=60)
    reason = text_field(_("延期理由"), REASON, rows=2)


class ProgressForm(TextLimits, forms.Form):
    text = text_field(_("本月进展情况"), PROBLEM)


class ReturnForm(TextLimits, forms.Form):
    return_reason = text_field(_("退回原因"), REASON, rows=2)


class MoveForm(TextLimits, forms.Form):
    """Move an item along its path; the choices are the moves the table allows."""

    to_status = forms.ChoiceField(label=_("办理为"))
    comment = text_field(_("说明"), PROBLEM, rows=2, required=False)
    reason = text_field(_("原因（无法解决或撤回时必填）"), REASON, rows=2, required=False)
    enterprise_confirmed = forms.BooleanField(label=_("企业已确认撤回"), required=False)

    def __init__(self, *args, item: IssueItem, **kwargs):
        super().__init__(*args, **kwargs)
        moves = [s for s in workflow.moves_from(item) if s != IssueItem.Status.REFERRED]
        self.fields["to_status"].choices = [(s.value, s.label) for s in moves]


class ReferForm(TextLimits, forms.Form):
    department = forms.ModelChoiceField(
        label=_("承办部门"), queryset=Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).order_by("sort_order")
    )
    working_days = forms.IntegerField(label=_("办理时限（工作日）"), min_value=1, max_value=90)
    requirement = text_field(_("办理要求"), REASON, rows=2, required=False)


class EscalateForm(TextLimits, forms.Form):
    leader = forms.ModelChoiceField(label=_("市级分管领导"), queryset=None)
    departments = forms.ModelMultipleChoiceField(
        label=_("涉及部门"),
        queryset=Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).order_by("sort_order"),
        widget=forms.CheckboxSelectMultiple,
    )
    request = text_field(_("呈报事项与建议"), PROBLEM, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from cadres.models import Cadre

        self.fields["leader"].queryset = Cadre.objects.filter(
            rank=Cadre.Rank.CITY_LEADER, is_active=True
        ).select_related("unit")


class InstructionForm(TextLimits, forms.Form):
    instruction = text_field(_("领导批示"), PROBLEM)


class ConcludeForm(TextLimits, forms.Form):
    coordination_result = text_field(_("协调结果"), PROBLEM)
    solved = forms.TypedChoiceField(
        label=_("结论"),
        choices=[("1", _("已解决")), ("0", _("无法解决"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )


class SuperviseForm(TextLimits, forms.Form):
    note = text_field(_("督办意见"), REASON, required=False)


class ConfirmationForm(TextLimits, forms.Form):
    """An enterprise's verdict on a resolution, recorded by staff (by phone)."""

    verdict = forms.ChoiceField(
        label=_("企业评价"),
        choices=[(v.value, v.label) for v in Confirmation.Verdict if v != Confirmation.Verdict.DEEMED],
        widget=forms.RadioSelect,
    )
    comment = text_field(_("企业意见（不满意时必填）"), REASON, rows=2, required=False)
    contact = forms.ModelChoiceField(label=_("答复的企业联系人"), queryset=None, required=False)

    def __init__(self, *args, item: IssueItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = item.enterprise.contacts.all()
