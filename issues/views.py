"""The department's inbox of referral slips and the slip page, where the
officer answers or asks for more time and the liaison office accepts,
returns or decides on extensions (R12, R13)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cadres import permissions

from . import selectors, services, workflow
from .forms import (
    AnswerForm,
    ConcludeForm,
    ExtensionForm,
    InstructionForm,
    ProgressForm,
    ReturnForm,
    SuperviseForm,
)
from .models import ExtensionRequest, SupervisionSlip


@login_required
def inbox(request):
    if not permissions.can_view_slip_inbox(request.user):
        raise PermissionDenied
    sections = selectors.inbox(request.user, timezone.localdate())
    return render(request, "issues/inbox.html", {**sections, "today": timezone.localdate()})


def _slip(request, pk):
    return get_object_or_404(selectors.slips_for(request.user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def slip_detail(request, pk):
    slip = _slip(request, pk)
    user = request.user
    may_answer = permissions.can_answer_slip(user, slip)
    may_decide = permissions.can_decide_slips(user)
    may_progress = permissions.can_report_progress(user, slip) and slip.item.status in workflow.OPEN
    forms = {
        "answer": AnswerForm(),
        "extension": ExtensionForm(),
        "send_back": ReturnForm(),
        "progress_form": ProgressForm(),
        "supervise": SuperviseForm(),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "answer" and may_answer:
                form = forms["answer"] = AnswerForm(request.POST)
                if form.is_valid():
                    services.answer(slip, by=user, **form.cleaned_data)
                    messages.success(request, _("办理结果已反馈市联络办。"))
                    return redirect("issues:slip", pk=slip.pk)
            elif action == "extension" and may_answer:
                form = forms["extension"] = ExtensionForm(request.POST)
                if form.is_valid():
                    services.request_extension(slip, by=user, **form.cleaned_data)
                    messages.success(request, _("延期申请已提交。"))
                    return redirect("issues:slip", pk=slip.pk)
            elif action == "accept" and may_decide:
                services.accept(slip, by=user, comment=request.POST.get("comment", ""))
                messages.success(request, _("交办单已办结，问题已解决。"))
                return redirect("issues:slip", pk=slip.pk)
            elif action == "send_back" and may_decide:
                form = forms["send_back"] = ReturnForm(request.POST)
                if form.is_valid():
                    services.send_back(slip, by=user, reason=form.cleaned_data["return_reason"])
                    messages.success(request, _("已退回承办部门重办。"))
                    return redirect("issues:slip", pk=slip.pk)
            elif action == "supervise" and may_decide:
                form = forms["supervise"] = SuperviseForm(request.POST)
                if form.is_valid():
                    supervision = services.supervise(slip, by=user, note=form.cleaned_data["note"])
                    messages.success(request, _("已生成督办单 %(serial)s。") % {"serial": supervision.serial})
                    return redirect("issues:supervision_print", pk=supervision.pk)
            elif action == "progress" and may_progress:
                form = forms["progress_form"] = ProgressForm(request.POST)
                if form.is_valid():
                    services.add_progress(slip.item, text=form.cleaned_data["text"], by=user)
                    messages.success(request, _("本月进展已填报。"))
                    return redirect("issues:slip", pk=slip.pk)
            elif action in ("approve", "reject") and may_decide:
                extension = get_object_or_404(ExtensionRequest, pk=request.POST.get("extension"), slip=slip)
                services.decide_extension(extension, approve=action == "approve", by=user)
                messages.success(request, _("延期申请已处理。"))
                return redirect("issues:slip", pk=slip.pk)
            else:
                raise PermissionDenied
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return render(
        request,
        "issues/slip_detail.html",
        {
            "slip": slip,
            "events": slip.item.events.select_related("actor"),
            "extensions": slip.extension_requests.select_related("requested_by", "decided_by"),
            "supervisions": slip.supervisions.all(),
            "supervisable": may_decide
            and slip.status in selectors.OPEN_SLIP
            and slip.deadline < timezone.localdate(),
            "may_answer": may_answer,
            "may_decide": may_decide,
            "may_progress": may_progress,
            "progress": slip.item.progress.select_related("by"),
            "today": timezone.localdate(),
            **forms,
        },
    )


@login_required
def slip_print(request, pk):
    return render(request, "issues/slip_print.html", {"slip": _slip(request, pk)})


@login_required
def my_items(request):
    """我的问题: every problem the cadre raised, where it stands, who handles
    it, by when, and the answer (R14: the contact follows it to the end)."""
    cadre_id = permissions.own_cadre_id(request.user)
    if cadre_id is None:
        raise PermissionDenied
    items = list(selectors.reported_by(cadre_id))
    open_count = sum(item.status in workflow.OPEN for item in items)
    return render(
        request,
        "issues/my_items.html",
        {"items": items, "open_count": open_count, "today": timezone.localdate()},
    )


@login_required
def item_detail(request, pk):
    item = get_object_or_404(selectors.items_for(request.user), pk=pk)
    return render(
        request,
        "issues/item_detail.html",
        {
            "item": item,
            "events": item.events.select_related("actor"),
            "slips": item.referrals.select_related("department"),
            "escalations": item.escalations.select_related("leader").prefetch_related("departments"),
        },
    )


@login_required
def escalations(request):
    """A leader's escalation slips (staff and supervisors see all)."""
    if not permissions.can_view_escalations(request.user):
        raise PermissionDenied
    slips = selectors.escalations_for(request.user).order_by("status", "-issued_on")
    return render(request, "issues/escalations.html", {"slips": slips})


@login_required
@require_http_methods(["GET", "POST"])
def escalation_detail(request, pk):
    slip = get_object_or_404(selectors.escalations_for(request.user), pk=pk)
    may_instruct = permissions.can_instruct(request.user, slip)
    may_conclude = permissions.can_decide_slips(request.user)
    # Once instructed, the form shows the instruction to amend, not an empty box.
    instruction_form = InstructionForm(initial={"instruction": slip.instruction})
    conclude_form = ConcludeForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "instruct" and may_instruct:
                instruction_form = InstructionForm(request.POST)
                if instruction_form.is_valid():
                    services.record_instruction(slip, by=request.user, **instruction_form.cleaned_data)
                    messages.success(request, _("批示已记录。"))
                    return redirect("issues:escalation", pk=slip.pk)
            elif action == "conclude" and may_conclude:
                conclude_form = ConcludeForm(request.POST)
                if conclude_form.is_valid():
                    services.conclude_escalation(
                        slip,
                        result=conclude_form.cleaned_data["coordination_result"],
                        solved=conclude_form.cleaned_data["solved"],
                        by=request.user,
                    )
                    messages.success(request, _("呈报单已办结。"))
                    return redirect("issues:escalation", pk=slip.pk)
            else:
                raise PermissionDenied
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return render(
        request,
        "issues/escalation_detail.html",
        {
            "slip": slip,
            "events": slip.item.events.select_related("actor"),
            "may_instruct": may_instruct and slip.status != "concluded",
            "may_conclude": may_conclude and slip.status != "concluded",
            "instruction_form": instruction_form,
            "conclude_form": conclude_form,
        },
    )


@login_required
def escalation_print(request, pk):
    slip = get_object_or_404(selectors.escalations_for(request.user), pk=pk)
    return render(request, "issues/escalation_print.html", {"slip": slip})


@login_required
def supervision_print(request, pk):
    supervision = get_object_or_404(
        SupervisionSlip.objects.select_related(
            "referral__item__enterprise", "referral__department", "addressee"
        ),
        pk=pk,
        referral__in=selectors.slips_for(request.user),
    )
    return render(request, "issues/supervision_print.html", {"supervision": supervision})
