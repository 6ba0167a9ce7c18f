"""Spot-check pages for the supervising office (R15) and the quarterly
resolution-rate table (R16)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres import closing, permissions
from cadres.models import Unit
from tabular import inputs
from tabular.routes import Routes
from tabular.xlsx import download_name, xlsx_response
from visits.quarters import Quarter, asked_for

from . import access, rates, spotchecks
from .models import SpotCheck, SpotCheckBatch
from .spreadsheets import notice_workbook

route = Routes()


class BatchForm(inputs.TextLimits, forms.Form):
    quarter = forms.CharField(label=gettext_lazy("季度"), max_length=6)
    sample_size = forms.IntegerField(label=gettext_lazy("抽查数量"), min_value=1, max_value=5000)
    seed = forms.IntegerField(label=gettext_lazy("随机种子"), min_value=0, max_value=2**31)
    title = forms.CharField(label=gettext_lazy("名称"), max_length=100, required=False)

    def clean_quarter(self):
        try:
            quarter = Quarter.parse(self.cleaned_data["quarter"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        if message := spotchecks.quarter_not_begun(quarter):
            raise forms.ValidationError(message)
        return quarter


class CheckForm(inputs.TextLimits, forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("抽查方式"), choices=SpotCheck.Method.choices)
    checked_on = forms.DateField(label=gettext_lazy("抽查日期"), widget=inputs.DateInput())
    visit_confirmed = forms.NullBooleanField(label=gettext_lazy("企业确认已走访"))
    problem_solved_confirmed = forms.NullBooleanField(
        label=gettext_lazy("企业确认问题已解决"), required=False
    )
    satisfaction = forms.ChoiceField(
        label=gettext_lazy("企业满意度"),
        choices=[("", "——")] + list(SpotCheck.Satisfaction.choices),
        required=False,
    )
    finding = inputs.text_field(gettext_lazy("抽查发现"), inputs.PROBLEM, rows=2, required=False)


class SummaryForm(inputs.TextLimits, forms.Form):
    summary = inputs.text_field(gettext_lazy("通报意见"), inputs.SITUATION, required=False)


@route("spotchecks/", name="spotchecks", allow=access.can_run_spot_checks)
def batches(request):
    today = timezone.localdate()
    form = BatchForm(
        request.POST or None,
        initial={
            "quarter": Quarter.of(today).previous().label,
            "sample_size": 50,
            "seed": int(f"{today:%Y%m%d}"),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = spotchecks.create_batch(by=request.user, size=form.cleaned_data["sample_size"], **{
                k: form.cleaned_data[k] for k in ("quarter", "seed", "title")
            })  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("issues:spotcheck_batch", pk=batch.pk)
    return render(
        request, "issues/spotcheck_batches.html", {"form": form, "batches": SpotCheckBatch.objects.all()[:50]}
    )


@route("spotchecks/<int:pk>/", name="spotcheck_batch", allow=access.can_run_spot_checks)
def batch_detail(request, pk):
    batch = get_object_or_404(SpotCheckBatch, pk=pk)
    checks = batch.checks.select_related("cadre__unit", "enterprise__place", "item")
    if request.method == "POST":
        check = get_object_or_404(checks, pk=request.POST.get("check"))
        form = CheckForm(request.POST, prefix=f"c{check.pk}")
        if form.is_valid():
            try:
                spotchecks.record_check(check, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, _("已记录。"))
                return redirect(f"{request.path}#check-{check.pk}")
        else:
            errors = "；".join(_labelled(form, name, problems) for name, problems in form.errors.items())
            messages.error(request, _("抽查记录有误：%(errors)s") % {"errors": errors})
    rows = [(check, CheckForm(prefix=f"c{check.pk}", initial=_initial(check))) for check in checks]
    return render(request, "issues/spotcheck_batch.html", {"batch": batch, "rows": rows})


def _labelled(form, name, problems):
    """A field's errors under its label, not its name (``finding``)."""
    text = "，".join(problems)
    return f"{form.fields[name].label}：{text}" if name in form.fields else text


def _initial(check):
    return {
        "method": check.method or SpotCheck.Method.PHONE,
        "checked_on": check.checked_on or timezone.localdate(),
        "visit_confirmed": check.visit_confirmed,
        "problem_solved_confirmed": check.problem_solved_confirmed,
        "satisfaction": check.satisfaction,
        "finding": check.finding,
    }


def notice_figures(batch):
    checks = list(batch.checks.select_related("cadre__unit", "enterprise__place", "item"))
    done = [c for c in checks if c.is_done]
    answered = [c for c in done if c.satisfaction]
    satisfaction = rates.satisfaction_of(done)
    unconfirmed = [c for c in done if c.visit_confirmed is False]
    return {
        "checks": checks,
        "done": len(done),
        "unconfirmed": unconfirmed,
        "satisfaction_rate": satisfaction.rate,
        "answered": satisfaction.responses,
        "dissatisfied": [c for c in answered if c.satisfaction == SpotCheck.Satisfaction.DISSATISFIED],
        "withdrawn_unsolved": [c for c in done if c.item_id and c.problem_solved_confirmed is False],
    }


@route("spotchecks/<int:pk>/notice/", name="spotcheck_notice", allow=access.can_run_spot_checks)
def notice(request, pk):
    """The circulated notice (通报) of a batch: printable, and as xlsx."""
    batch = get_object_or_404(SpotCheckBatch, pk=pk)
    summary_form = SummaryForm(request.POST or None, initial={"summary": batch.summary})
    if request.method == "POST" and summary_form.is_valid():
        batch.summary = summary_form.cleaned_data["summary"]
        batch.save(update_fields=["summary"])
        return redirect("issues:spotcheck_notice", pk=batch.pk)
    figures = notice_figures(batch)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            notice_workbook(batch, figures),
            download_name("抽查通报", batch.quarter, f"第{batch.pk}批"),
            download_name("spot-check-notice", batch.quarter, f"batch{batch.pk}"),
        )
    return render(
        request, "issues/spotcheck_notice.html", {"batch": batch, "summary_form": summary_form, **figures}
    )


@route("rates/", name="rates", allow=access.can_view_rates)
def rate_table(request):
    """联企问题解决率 per unit for a quarter, with the satisfaction rate beside
    it: a closed quarter's figures as frozen when it closed (issue 16)."""
    quarter = asked_for(request)
    units = {u.pk: u for u in permissions.visible_units(request.user, Unit.objects.all())}
    whole_city = permissions.sees_whole_city(request.user)
    closed = closing.state(quarter.label)
    frozen = closing.frozen_cells(quarter.label, known=closed)
    if frozen is not None:
        counts = closing.sums(frozen, "unit_id")
        by_unit = {pk: rates.of_counts(c) for pk, c in counts.items()}
        happy = {pk: rates.Satisfaction(c["responses"], c["satisfied"]) for pk, c in counts.items()}
        every = closing.sums(frozen)[None]
        city = rates.of_counts(every) if whole_city else None
        city_happy = rates.Satisfaction(every["responses"], every["satisfied"]) if whole_city else None
    else:
        by_unit = rates.figures_by(quarter, "unit")
        happy = rates.satisfaction_by_unit(quarter)
        city = rates.figures(quarter) if whole_city else None
        city_happy = rates.satisfaction(quarter) if whole_city else None
    # The enterprises' verdicts, live in a closed quarter too: they count by
    # the day given, never back-dated (rates.enterprise_satisfaction_by).
    verdicts = rates.enterprise_satisfaction_by(quarter, "unit")
    none = rates.EnterpriseSatisfaction()
    rows = [
        (
            units[pk],
            by_unit.get(pk, rates.Figures()),
            happy.get(pk, rates.Satisfaction()),
            verdicts.get(pk, none),
        )
        for pk in sorted(
            set(by_unit) | set(happy) | set(verdicts),
            key=lambda pk: (units[pk].sort_order, units[pk].name) if pk in units else (0, ""),
        )
        if pk in units
    ]
    return render(
        request,
        "issues/rates.html",
        {
            "quarter": quarter,
            "rows": rows,
            "city": city,
            "city_satisfaction": city_happy,
            "city_verdicts": rates.enterprise_satisfaction_by(quarter) if whole_city else None,
            "closed": closed,
            "previous": quarter.previous(),
            "next": quarter.next() if quarter.next().first_day <= timezone.localdate() else None,
        },
    )
