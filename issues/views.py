"""The department's inbox of referral slips and the slip page, where the
officer answers or asks for more time and the liaison office accepts,
returns or decides on extensions (R12, R13)."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres import permissions
from tabular.routes import Routes

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

route = Routes()


@route("slips/", name="inbox", allow=access.can_view_slip_inbox)
def inbox(request):
    sections = selectors.inbox(request.user, timezone.localdate())
    return render(request, "issues/inbox.html", {**sections, "today": timezone.localdate()})


def _slip(request, pk):
    return get_object_or_404(selectors.slips_for(request.user), pk=pk)


# The form each slip action posts; the others post only a comment or a decision.
FORMS = {
    "answer": AnswerForm,
    "extension": ExtensionForm,
    "send_back": ReturnForm,
    "progress": ProgressForm,
    "supervise": SuperviseForm,
    "instruct": InstructionForm,
    "conclude": ConcludeForm,
}


@dataclass(frozen=True)
class Panel:
    """How an action's form stands on its slip's page."""

    button: str
    heading: str = ""
    help: str = ""
    secondary: bool = False


PANELS = {
    "answer": Panel(gettext_lazy("提交办理结果"), heading=gettext_lazy("反馈办理结果")),
    "extension": Panel(gettext_lazy("提交延期申请"), heading=gettext_lazy("申请延期"), secondary=True),
    "accept": Panel(gettext_lazy("办结（问题已解决）"), heading=gettext_lazy("市联络办确认")),
    "send_back": Panel(gettext_lazy("退回重办"), secondary=True),
    "supervise": Panel(
        gettext_lazy("发督办单"),
        heading=gettext_lazy("督办"),
        help=gettext_lazy("交办单已逾期：可向承办部门第一责任人发督办单。"),
    ),
    "progress": Panel(gettext_lazy("填报本月进展"), secondary=True),
    "instruct": Panel(gettext_lazy("记录批示")),
    "conclude": Panel(gettext_lazy("协调办结")),
}
AMENDING = {**PANELS, "instruct": Panel(gettext_lazy("修改批示"))}  # an instruction already recorded


def _panels(slip, actions, forms, names, looks=PANELS):
    """The forms of the actions ``names`` the user may take now, in that
    order, each posting to its own view (``issues:slip_<name>``,
    ``issues:escalation_<name>``): the page renders only these."""
    kind = "slip" if isinstance(slip, ReferralSlip) else "escalation"
    return [
        {
            "name": name,
            "url": reverse(f"issues:{kind}_{name}", args=[slip.pk]),
            "form": forms.get(name),
            "look": looks[name],
        }
        for name in names
        if name in actions
    ]


def _slip_page(request, slip, status=200, **bound):
    """The slip page, with the actions the user may take now (each form posts
    to its own view) and, after a refused form, that form with its errors."""
    today = timezone.localdate()
    actions = slip_workflow.available(request.user, slip, today=today)
    forms = {**{name: FORMS[name]() for name in slip_workflow.REFERRAL if name in FORMS}, **bound}
    context = {
        "slip": slip,
        "actions": actions,
        "panels": _panels(slip, actions, forms, ("answer", "extension", "accept", "send_back", "supervise")),
        "progress_panels": _panels(slip, actions, forms, ("progress",)),
        "events": slip.item.events.select_related("actor"),
        "extensions": slip.extension_requests.select_related("requested_by", "decided_by"),
        "supervisions": slip.supervisions.all(),
        "progress": slip.item.progress.select_related("by"),
        "overdue": slip_workflow.is_overdue(slip, today),
        "today": today,
    }
    return render(request, "issues/slip_detail.html", context, status=status)


@route("slips/<int:pk>/", name="slip")
def slip_detail(request, pk):
    return _slip_page(request, _slip(request, pk))


def _act(request, slip, name, do, success, *, then=None):
    """One action on a slip, in one shape for every action view: the action
    the user may take (else 403: the table's ``may``), its form valid (else
    the slip's page again with the form's errors), then ``do`` with the form's
    data — the service; its refusal, the table's sentence, is shown on the
    page — and on to the slip's page (or ``then`` of what the service made)."""
    if not slip_workflow.may_act(request.user, slip, name):
        raise PermissionDenied
    referral = isinstance(slip, ReferralSlip)
    data = {}
    if name in FORMS:
        form = FORMS[name](request.POST)
        if not form.is_valid():
            page = _slip_page if referral else _escalation_page
            return page(request, slip, **{name: form})
        data = form.cleaned_data
    back = redirect("issues:slip" if referral else "issues:escalation", pk=slip.pk)
    try:
        outcome = do(data)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return back
    messages.success(request, success(outcome) if callable(success) else success)
    return then(outcome) if then else back


def _act_by(request, slip, name, service, success):
    """:func:`_act` for an action whose form's fields are the keywords of its
    service, called with the slip, by the user."""
    return _act(request, slip, name, lambda data: service(slip, by=request.user, **data), success)


@route.post("slips/<int:pk>/answer/", name="slip_answer")
def slip_answer(request, pk):
    return _act_by(request, _slip(request, pk), "answer", services.answer, _("办理结果已反馈市联络办。"))


@route.post("slips/<int:pk>/extension/", name="slip_extension")
def slip_extension(request, pk):
    slip = _slip(request, pk)
    return _act_by(request, slip, "extension", services.request_extension, _("延期申请已提交。"))


@route.post("slips/<int:pk>/extension/<int:extension>/decide/", name="slip_decide_extension")
def slip_decide_extension(request, pk, extension):
    slip = _slip(request, pk)
    pending = get_object_or_404(ExtensionRequest, pk=extension, slip=slip)
    approve = request.POST.get("decision") == "approve"

    def do(data):
        return services.decide_extension(pending, approve=approve, by=request.user)

    return _act(request, slip, "decide_extension", do, _("延期申请已处理。"))


@route.post("slips/<int:pk>/accept/", name="slip_accept")
def slip_accept(request, pk):
    slip, comment = _slip(request, pk), request.POST.get("comment", "")
    return _act(
        request,
        slip,
        "accept",
        lambda data: services.accept(slip, by=request.user, comment=comment),
        _("交办单已办结，问题已解决。"),
    )


@route.post("slips/<int:pk>/send-back/", name="slip_send_back")
def slip_send_back(request, pk):
    slip = _slip(request, pk)

    def do(data):
        return services.send_back(slip, by=request.user, reason=data["return_reason"])

    return _act(request, slip, "send_back", do, _("已退回承办部门重办。"))


@route.post("slips/<int:pk>/supervise/", name="slip_supervise")
def slip_supervise(request, pk):
    slip = _slip(request, pk)
    return _act(
        request,
        slip,
        "supervise",
        lambda data: services.supervise(slip, by=request.user, note=data["note"]),
        lambda supervision: _("已生成督办单 %(serial)s。") % {"serial": supervision.serial},
        then=lambda supervision: redirect("issues:supervision_print", pk=supervision.pk),
    )


@route.post("slips/<int:pk>/progress/", name="slip_progress")
def slip_progress(request, pk):
    slip = _slip(request, pk)

    def do(data):
        return services.add_progress(slip.item, text=data["text"], by=request.user)

    return _act(request, slip, "progress", do, _("本月进展已填报。"))


@route("slips/<int:pk>/print/", name="slip_print")
def slip_print(request, pk):
    slip = _slip(request, pk)
    return render(request, "issues/slip_print.html", {"slip": slip, "numbered": slip})


@route("my/issues/", name="my_items", allow=access.can_view_own_items)
def my_items(request):
    """我的问题: every problem the cadre raised, where it stands, who handles
    it, by when, and the answer (R14: the contact follows it to the end)."""
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


@route("items/<int:pk>/", name="item")
def item_detail(request, pk):
    return _item_page(request, _item(request, pk))


@route.post("items/<int:pk>/confirm/", name="item_confirm")
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


@route("escalations/", name="escalations", allow=access.can_view_escalations)
def escalations(request):
    """A leader's escalation slips (staff and supervisors see all)."""
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
    actions = slip_workflow.available(request.user, slip, today=timezone.localdate())
    looks = AMENDING if slip.instruction else PANELS
    context = {
        "slip": slip,
        "panels": _panels(slip, actions, forms, ("instruct", "conclude"), looks),
        "events": slip.item.events.select_related("actor"),
    }
    return render(request, "issues/escalation_detail.html", context, status=status)


@route("escalations/<int:pk>/", name="escalation")
def escalation_detail(request, pk):
    return _escalation_page(request, _escalation(request, pk))


@route.post("escalations/<int:pk>/instruct/", name="escalation_instruct")
def escalation_instruct(request, pk):
    slip = _escalation(request, pk)
    return _act_by(request, slip, "instruct", services.record_instruction, _("批示已记录。"))


@route.post("escalations/<int:pk>/conclude/", name="escalation_conclude")
def escalation_conclude(request, pk):
    slip = _escalation(request, pk)

    def do(data):
        return services.conclude_escalation(
            slip, result=data["coordination_result"], solved=data["solved"], by=request.user
        )

    return _act(request, slip, "conclude", do, _("呈报单已办结。"))


@route("escalations/<int:pk>/print/", name="escalation_print")
def escalation_print(request, pk):
    slip = get_object_or_404(selectors.escalations_for(request.user), pk=pk)
    return render(request, "issues/escalation_print.html", {"slip": slip, "numbered": slip})


@route("supervisions/<int:pk>/print/", name="supervision_print")
def supervision_print(request, pk):
    supervision = get_object_or_404(selectors.supervisions_for(request.user), pk=pk)
    context = {"supervision": supervision, "numbered": supervision}
    return render(request, "issues/supervision_print.html", context)


@route("attachments/<int:pk>/", name="attachment")
def attachment(request, pk):
    """A file an enterprise sent with its request: to whoever may open its item."""
    found = get_object_or_404(
        ItemAttachment.objects.filter(item__in=selectors.items_for(request.user)), pk=pk
    )
    return attachments.serve(found)
