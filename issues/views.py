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

from . import access, attachments, selectors, services, slip_workflow, workflow
from .forms import (
    AnswerForm,
    ConcludeForm,
    ConfirmationForm,
    ExtensionForm,
    InstructionForm,
    ProgressForm,
    ReturnForm,
    SuperviseForm,
)
from .models import ExtensionRequest, ItemAttachment, ReferralSlip


@login_required
def inbox(request):
    if not access.can_view_slip_inbox(request.user):
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


def _act(request, slip, name, do, success, *, form_class=None, page, then=None):
    """One action on a slip, in one shape for every action view: the action
    the user may take (else 403: the table's ``may``), a valid form (else the
    page again with its errors), then the service — its refusal, the table's
    sentence, is shown on the page — and on to the slip's page (or ``then``
    of what the service made)."""
    if not slip_workflow.may_act(request.user, slip, name):
        raise PermissionDenied
    data = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            return page(request, slip, **{name: form})
        data = form.cleaned_data
    back = redirect("issues:slip" if isinstance(slip, ReferralSlip) else "issues:escalation", pk=slip.pk)
    try:
        outcome = do(data)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return back
    messages.success(request, success(outcome) if callable(success) else success)
    return then(outcome) if then else back


def _slip_act(request, pk, name, do, success, **options):
    """:func:`_act` on the user's referral slip ``pk``, back to its page:
    ``do`` is called with the slip and the form's data."""
    slip = _slip(request, pk)
    return _act(request, slip, name, lambda data: do(slip, data), success, page=_slip_page, **options)


def _form_act(request, slip, name, service, success, form_class, page):
    """:func:`_act` for an action whose form's fields are the keywords of its
    service (called with the slip, by the user)."""
    return _act(
        request,
        slip,
        name,
        lambda data: service(slip, by=request.user, **data),
        success,
        form_class=form_class,
        page=page,
    )


@login_required
@require_POST
def slip_answer(request, pk):
    return _form_act(
        request,
        _slip(request, pk),
        "answer",
        services.answer,
        _("办理结果已反馈市联络办。"),
        AnswerForm,
        _slip_page,
    )


@login_required
@require_POST
def slip_extension(request, pk):
    return _form_act(
        request,
        _slip(request, pk),
        "extension",
        services.request_extension,
        _("延期申请已提交。"),
        ExtensionForm,
        _slip_page,
    )


@login_required
@require_POST
def slip_decide_extension(request, pk, extension):
    slip = _slip(request, pk)
    pending = get_object_or_404(ExtensionRequest, pk=extension, slip=slip)
    approve = request.POST.get("decision") == "approve"
    return _act(
        request,
        slip,
        "decide_extension",
        lambda data: services.decide_extension(pending, approve=approve, by=request.user),
        _("延期申请已处理。"),
        page=_slip_page,
    )


@login_required
@require_POST
def slip_accept(request, pk):
    comment = request.POST.get("comment", "")
    return _slip_act(
        request,
        pk,
        "accept",
        lambda slip, data: services.accept(slip, by=request.user, comment=comment),
        _("交办单已办结，问题已解决。"),
    )


@login_required
@require_POST
def slip_send_back(request, pk):
    def do(slip, data):
        return services.send_back(slip, by=request.user, reason=data["return_reason"])

    return _slip_act(request, pk, "send_back", do, _("已退回承办部门重办。"), form_class=ReturnForm)


@login_required
@require_POST
def slip_supervise(request, pk):
    return _slip_act(
        request,
        pk,
        "supervise",
        lambda slip, data: services.supervise(slip, by=request.user, note=data["note"]),
        lambda supervision: _("已生成督办单 %(serial)s。") % {"serial": supervision.serial},
        form_class=SuperviseForm,
        then=lambda supervision: redirect("issues:supervision_print", pk=supervision.pk),
    )


@login_required
@require_POST
def slip_progress(request, pk):
    def do(slip, data):
        return services.add_progress(slip.item, text=data["text"], by=request.user)

    return _slip_act(request, pk, "progress", do, _("本月进展已填报。"), form_class=ProgressForm)


@login_required
def slip_print(request, pk):
    return render(request, "issues/slip_print.html", {"slip": _slip(request, pk)})


@login_required
def my_items(request):
    """我的问题: every problem the cadre raised, where it stands, who handles
    it, by when, and the answer (R14: the contact follows it to the end)."""
    if not access.can_view_own_items(request.user):
        raise PermissionDenied
    cadre_id = permissions.own_cadre_id(request.user)
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


def _item(request, pk):
    return get_object_or_404(selectors.items_for(request.user), pk=pk)


def _item_page(request, item, confirm_form=None, status=200):
    pending = selectors.pending_confirmation(item)
    if pending is not None and confirm_form is None and access.can_record_confirmation(request.user):
        confirm_form = ConfirmationForm(item=item)
    return render(
        request,
        "issues/item_detail.html",
        {
            "item": item,
            "events": item.events.select_related("actor"),
            "slips": item.referrals.select_related("department"),
            "escalations": item.escalations.select_related("leader").prefetch_related("departments"),
            "confirmations": item.confirmations.select_related("contact", "recorded_by"),
            "pending": pending,
            "confirm_form": confirm_form if pending is not None else None,
        },
        status=status,
    )


@login_required
def item_detail(request, pk):
    return _item_page(request, _item(request, pk))


@login_required
@require_POST
def item_confirm(request, pk):
    """Staff record the enterprise's verdict on the item's pending
    confirmation, given by phone (issue 17.5)."""
    item = _item(request, pk)
    if not access.can_record_confirmation(request.user):
        raise PermissionDenied
    pending = selectors.pending_confirmation(item)
    if pending is None:
        messages.error(request, _("这个问题没有待评价的解决。"))
        return redirect("issues:item", pk=item.pk)
    form = ConfirmationForm(request.POST, item=item)
    if not form.is_valid():
        return _item_page(request, item, confirm_form=form, status=400)
    try:
        services.confirm(pending, **form.cleaned_data, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("企业评价已记录。"))
    return redirect("issues:item", pk=item.pk)


@login_required
def escalations(request):
    """A leader's escalation slips (staff and supervisors see all)."""
    if not access.can_view_escalations(request.user):
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


@login_required
@require_POST
def escalation_instruct(request, pk):
    slip = _escalation(request, pk)
    return _form_act(
        request,
        slip,
        "instruct",
        services.record_instruction,
        _("批示已记录。"),
        InstructionForm,
        _escalation_page,
    )


@login_required
@require_POST
def escalation_conclude(request, pk):
    slip = _escalation(request, pk)

    def do(data):
        return services.conclude_escalation(
            slip, result=data["coordination_result"], solved=data["solved"], by=request.user
        )

    return _act(
        request, slip, "conclude", do, _("呈报单已办结。"), form_class=ConcludeForm, page=_escalation_page
    )


@login_required
def escalation_print(request, pk):
    slip = get_object_or_404(selectors.escalations_for(request.user), pk=pk)
    return render(request, "issues/escalation_print.html", {"slip": slip})


@login_required
def supervision_print(request, pk):
    supervision = get_object_or_404(selectors.supervisions_for(request.user), pk=pk)
    return render(request, "issues/supervision_print.html", {"supervision": supervision})


@login_required
def attachment(request, pk):
    """A file an enterprise sent with its request: to whoever may open its item."""
    found = get_object_or_404(
        ItemAttachment.objects.filter(item__in=selectors.items_for(request.user)), pk=pk
    )
    return attachments.serve(found)
