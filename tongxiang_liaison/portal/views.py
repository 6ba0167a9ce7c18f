"""The enterprise pages' views: sign in with a code, choose the enterprise,
its home (cadres and items), an item's page, sign out, the language."""

from contextlib import suppress

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import check_for_language, gettext_lazy
from django.utils.translation import gettext as _

from enterprises import signin
from enterprises.models import Enterprise
from issues import attachments
from issues import selectors as issue_selectors
from issues import services as issue_services
from issues.models import Confirmation, ItemAttachment
from jobs import sms
from tabular.inputs import PROBLEM, REASON
from tabular.phone import normalise_mobile, validate_mobile
from tabular.routes import Routes
from tongxiang_liaison.views import client_ip
from visits.models import ProblemCategory

from . import selectors
from .auth import contact_required, current_session, sign_out
from .auth import sign_in as set_portal_cookie

route = Routes(sign_in=contact_required)

REFUSED = {
    signin.Outcome.WRONG_CODE: gettext_lazy("验证码不正确，请重新输入。"),
    signin.Outcome.EXPIRED: gettext_lazy("验证码已失效，请重新获取。"),
    signin.Outcome.LIMITED: gettext_lazy("尝试次数过多，请重新获取验证码。"),
    signin.Outcome.UNKNOWN_MOBILE: gettext_lazy("验证码不正确，请重新输入。"),
}


class MobileForm(forms.Form):
    mobile = forms.CharField(label=gettext_lazy("手机号"), max_length=20)

    def clean_mobile(self):
        validate_mobile(self.cleaned_data["mobile"])
        return normalise_mobile(self.cleaned_data["mobile"])


class CodeForm(MobileForm):
    code = forms.CharField(label=gettext_lazy("验证码"), max_length=6, min_length=6)


def send_code(mobile, code):
    """The text of a sign-in code, in the site's language (Chinese), whatever the browser's."""
    minutes = max(1, settings.PORTAL_CODE_TTL_SECONDS // 60)
    with translation.override(settings.LANGUAGE_CODE):
        text = _("企业服务登录验证码：%(code)s，%(minutes)s 分钟内有效，请勿告诉他人。") % {
            "code": code,
            "minutes": minutes,
        }
        log_text = _("企业服务登录验证码（已隐去）")
    # A failed send is logged by jobs.sms; the page stays the same (the contact asks again).
    with suppress(sms.SmsError):
        sms.send(mobile, text, purpose="portal_code", log_text=log_text)


def greeted(request):
    code = (request.GET.get("c") or request.POST.get("c") or "").strip().upper()[:18]
    return Enterprise.objects.filter(credit_code=code).first() if code else None


@route.form("login/", name="login", public=True)
def login(request):
    if current_session(request) is not None:
        return redirect("portal:home")
    enterprise = greeted(request)
    form = MobileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        outcome = signin.request_code(mobile, client_ip(request), send_code)
        if outcome == signin.Outcome.LIMITED:
            form.add_error(None, _("获取验证码过于频繁，请一小时后再试。"))
        else:
            return redirect(f"{reverse('portal:code')}?{urlencode({'m': mobile})}")
    return render(request, "portal/login.html", {"form": form, "enterprise": enterprise})


@route.form("login/code/", name="code", public=True)
def code(request):
    mobile = request.POST.get("mobile") or request.GET.get("m") or ""
    form = CodeForm(request.POST or None, initial={"mobile": mobile})
    if request.method == "POST" and form.is_valid():
        address = client_ip(request)
        try:
            contacts = signin.verify(form.cleaned_data["mobile"], form.cleaned_data["code"], address)
        except signin.SignInRefused as refused:
            if refused.per_address:
                form.add_error("code", _("此网络尝试验证码次数过多，请一小时后再试。"))
            else:
                form.add_error("code", REFUSED[refused.outcome])
        else:
            target = "portal:home" if len(contacts) == 1 else "portal:choose"
            return set_portal_cookie(redirect(target), contacts[0], address)
    return render(request, "portal/code.html", {"form": form, "mobile": mobile})


@route.form("choose/", name="choose")
def choose(request):
    session = request.portal_session
    if request.method == "POST":
        try:
            contact_id = int(request.POST.get("contact", ""))
        except ValueError:
            contact_id = 0
        if signin.switch_contact(session, contact_id):
            return redirect("portal:home")
    contacts = signin.active_contacts(session.contact.mobile)
    return render(request, "portal/choose.html", {"contacts": contacts})


@route("", name="home")
def home(request):
    enterprise = request.portal_enterprise
    return render(
        request,
        "portal/home.html",
        {
            "cadres": selectors.paired_cadres(enterprise, timezone.localdate()),
            "items": selectors.public_items(enterprise),
            "several": signin.active_contacts(request.portal_contact.mobile).count() > 1,
        },
    )


class VerdictForm(forms.Form):
    """The enterprise's own verdict on a resolution (issue 17.5)."""

    verdict = forms.ChoiceField(
        label=gettext_lazy("问题解决了吗？"),
        choices=[(v.value, v.label) for v in Confirmation.Verdict if v != Confirmation.Verdict.DEEMED],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("意见（不满意时请说明哪里没有解决）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON,
        required=False,
    )


def _item_page(request, found, verdict_form=None, status=200):
    pending = issue_selectors.pending_confirmation(found)
    context = {
        "row": selectors.public_item(found),
        "events": selectors.public_timeline(found),
        "files": found.attachments.all(),
        "pending": pending,
        "verdict_form": verdict_form or (VerdictForm() if pending else None),
    }
    return render(request, "portal/item.html", context, status=status)


@route("items/<int:pk>/", name="item")
def item(request, pk):
    return _item_page(request, get_object_or_404(selectors.items_of(request.portal_enterprise), pk=pk))


@route.post("items/<int:pk>/confirm/", name="confirm")
def confirm(request, pk):
    """The contact rates the resolution asked about: 满意 / 基本满意 / 不满意
    (which reopens the item, :func:`issues.services.confirm`)."""
    found = get_object_or_404(selectors.items_of(request.portal_enterprise), pk=pk)
    pending = issue_selectors.pending_confirmation(found)
    if pending is None:
        return redirect("portal:item", pk=found.pk)
    form = VerdictForm(request.POST)
    if form.is_valid():
        try:
            issue_services.confirm(pending, **form.cleaned_data, contact=request.portal_contact)
        except ValidationError as error:  # already answered, or 不满意 without a reason
            form.add_error(None, error)
        else:
            return redirect("portal:item", pk=found.pk)
    return _item_page(request, found, verdict_form=form, status=400)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"})
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(one, initial) for one in files if one]


class RequestForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("问题类别"), choices=ProblemCategory.choices)
    description = forms.CharField(
        label=gettext_lazy("问题描述"), widget=forms.Textarea(attrs={"rows": 5}), max_length=PROBLEM
    )
    files = MultipleFileField(label=gettext_lazy("照片或文件"), required=False)

    def clean_files(self):
        files = self.cleaned_data["files"]
        attachments.check(files)  # a ValidationError in Chinese, before anything is written
        return files


@route.form("new/", name="new_request")
def new_request(request):
    """A request the enterprise raises between visits: onto the issue list as 企业自报."""
    form = RequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = issue_services.raise_request(
                request.portal_enterprise,
                request.portal_contact,
                form.cleaned_data["category"],
                form.cleaned_data["description"],
                form.cleaned_data["files"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("portal:item", pk=created.pk)
    return render(request, "portal/new_request.html", {"form": form, "max_mb": settings.PORTAL_UPLOAD_MAX_MB})


@route("attachments/<int:pk>/", name="attachment")
def attachment(request, pk):
    """A file sent with one of the enterprise's own items; another's answers 404."""
    found = get_object_or_404(
        ItemAttachment.objects.filter(item__in=selectors.items_of(request.portal_enterprise)), pk=pk
    )
    return attachments.serve(found)


@route.post("signout/", name="signout", public=True)
def signout(request):
    return sign_out(request, redirect("portal:login"))


@route.post("language/", name="language", public=True)
def language(request):
    """The language switch of the enterprise pages: back to a page under /qiye/ only."""
    next_url = request.POST.get("next", "")
    if not next_url.startswith("/qiye/") or "//" in next_url or "\\" in next_url:
        next_url = reverse("portal:home")
    response = redirect(next_url)
    language = request.POST.get("language", "")
    if check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            samesite="Lax",
        )
    return response
