"""The department's inbox of referral slips and the slip page, where the
officer answers or asks for more time and the liaison office accepts,
returns or decides on extensions (R12, R13)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadres import permissions

from . import selectors, services, slip_workflow, workflow
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


def _slip_page(request, slip, status=200, **bound):
    """The slip page, with the actions the user may take now (each form posts
    to its own view) and, after a refused form, that form with its errors."""
    today = timezone.localdate()
    actions = slip_workflow.available(request.user, slip, today=today)
    forms = {
        "answer": AnswerForm(),
        "extension": ExtensionForm(),
        "send_back": ReturnForm(),
        "progress": ProgressForm(),
        "supervise": SuperviseForm(),
        **bound,
    }
    context = {
        "slip": slip,
        "actions": actions,
        "forms": forms,
        "events": slip.item.events.select_related("actor"),
        "extensions": slip.extension_requests.select_related("requested_by", "decided_by"),
        "supervisions": slip.supervisions.all(),
        "progress": slip.item.progress.select_related("by"),
        "overdue": slip_workflow.is_overdue(slip, today),
        "today": today,
    }
    return render(request, "issues/slip_detail.html", context, status=status)


@login_required
def slip_detail(request, pk):
    return _slip_page(request, _slip(request, pk))


def _slip_action(request, pk, name, form_class=None):
    """The common shape of one action on a referral slip: the slip the user
    may see (else 404), the action the user may take (else 403), a valid form
    (else the page again with its errors). Returns ``(slip, data)`` or an
    answer to give back at once."""
    slip = _slip(request, pk)
    action = slip_workflow.REFERRAL[name]
    if not action.may(request.user, slip):
        raise PermissionDenied
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return None, _slip_page(request, slip, **{name: form})
    return slip, (form.cleaned_data if form is not None else {})


def _done(request, slip, do, success):
    """Run the service; its refusal (the table's sentence) is shown on the page."""
    try:
        outcome = do()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("issues:slip", pk=slip.pk)
    messages.success(request, success if isinstance(success, str) else success(outcome))
    return outcome


@login_required
@require_POST
def slip_answer(request, pk):
    slip, data = _slip_action(request, pk, "answer", AnswerForm)
    if slip is None:
        return data
    _done(
        request, slip, lambda: services.answer(slip, by=request.user, **data), _("办理结果已反馈市联络办。")
    )
    return redirect("issues:slip", pk=slip.pk)


@login_required
@require_POST
def slip_extension(request, pk):
    slip, data = _slip_action(request, pk, "extension", ExtensionForm)
    if slip is None:
        return data
    _done(
        request,
        slip,
        lambda: services.request_extension(slip, by=request.user, **data),
        _("延期申请已提交。"),
    )
    return redirect("issues:slip", pk=slip.pk)


@login_required
@require_POST
def slip_decide_extension(request, pk, extension):
    slip, _data = _slip_action(request, pk, "decide_extension")
    request_ = get_object_or_404(ExtensionRequest, pk=extension, slip=slip)
    approve = request.POST.get("decision") == "approve"
    _done(
        request,
        slip,
        lambda: services.decide_extension(request_, approve=approve, by=request.user),
        _("延期申请已处理。"),
    )
    return redirect("issues:slip", pk=slip.pk)


@login_required
@require_POST
def slip_accept(request, pk):
    slip, _data = _slip_action(request, pk, "accept")
    comment = request.POST.get("comment", "")
    _done(
        request,
        slip,
        lambda: services.accept(slip, by=request.user, comment=comment),
        _("交办单已办结，问题已解决。"),
    )
    return redirect("issues:slip", pk=slip.pk)


@login_required
@require_POST
def slip_send_back(request, pk):
    slip, data = _slip_action(request, pk, "send_back", ReturnForm)
    if slip is None:
        return data
    reason = data["return_reason"]
    _done(
        request,
        slip,
        lambda: services.send_back(slip, by=request.user, reason=reason),
        _("已退回承办部门重办。"),
    )
    return redirect("issues:slip", pk=slip.pk)


@login_required
@require_POST
def slip_supervise(request, pk):
    slip, data = _slip_action(request, pk, "supervise", SuperviseForm)
    if slip is None:
        return data
    note = data["note"]
    outcome = _done(
        request,
        slip,
        lambda: services.supervise(slip, by=request.user, note=note),
        lambda supervision: _("已生成督办单 %(serial)s。") % {"serial": supervision.serial},
    )
    if not isinstance(outcome, SupervisionSlip):
        return outcome
    return redirect("issues:supervision_print", pk=outcome.pk)


@login_required
@require_POST
def slip_progress(request, pk):
    slip, data = _slip_action(request, pk, "progress", ProgressForm)
    if slip is None:
        return data
    text = data["text"]
    _done(
        request,
        slip,
        lambda: services.add_progress(slip.item, text=text, by=request.user),
        _("本月进展已填报。"),
    )
    return redirect("issues:slip", pk=slip.pk)


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
    today = timezone.localdate()
    items = list(selectors.reported_by(cadre_id))
    for item in items:  # the latest slip of each, and whether it is overdue (slip_workflow's rule)
        item.slip = next(iter(item.referrals.all()), None)
        item.slip_overdue = item.slip is not None and slip_workflow.is_overdue(item.slip, today)
        item.escalation = next(iter(item.escalations.all()), None)
    open_count = sum(item.status in workflow.OPEN for item in items)
    return render(
        request,
        "issues/my_items.html",
        {"items": items, "open_count": open_count, "closed": workflow.CLOSED - {workflow.S.RESOLVED}},
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


def _escalation(request, pk):
    return get_object_or_404(selectors.escalations_for(request.user), pk=pk)


def _escalation_page(request, slip, status=200, **bound):
    # Once instructed, the form shows the instruction to amend, not an empty box.
    forms = {
        "instruct": InstructionForm(initial={"instruction": slip.instruction}),
        "conclude": ConcludeForm(),
        **bound,
    }
    context = {
        "slip": slip,
        "actions": slip_workflow.available(request.user, slip, today=timezone.localdate()),
        "forms": forms,
        "events": slip.item.events.select_related("actor"),
    }
    return render(request, "issues/escalation_detail.html", context, status=status)


@login_required
def escalation_detail(request, pk):
    return _escalation_page(request, _escalation(request, pk))


def _escalation_action(request, pk, name, form_class):
    slip = _escalation(request, pk)
    if not slip_workflow.ESCALATION[name].may(request.user, slip):
        raise PermissionDenied
    form = form_class(request.POST)
    if not form.is_valid():
        return slip, None, _escalation_page(request, slip, **{name: form})
    return slip, form.cleaned_data, None


@login_required
@require_POST
def escalation_instruct(request, pk):
    slip, data, refused = _escalation_action(request, pk, "instruct", InstructionForm)
    if refused:
        return refused
    _done(
        request, slip, lambda: services.record_instruction(slip, by=request.user, **data), _("批示已记录。")
    )
    return redirect("issues:escalation", pk=slip.pk)


@login_required
@require_POST
def escalation_conclude(request, pk):
    slip, data, refused = _escalation_action(request, pk, "conclude", ConcludeForm)
    if refused:
        return refused
    _done(
        request,
        slip,
        lambda: services.conclude_escalation(
            slip, result=data["coordination_result"], solved=data["solved"], by=request.user
        ),
        _("呈报单已办结。"),
    )
    return redirect("issues:escalation", pk=slip.pk)


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
