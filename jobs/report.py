"""The quarterly resolution-rate report (R16): one xlsx workbook per quarter.

Every figure comes from the functions the pages use (:func:`visits.selectors.coverage_of`,
:func:`issues.rates.figures_by`), so the report and the pages agree to the
digit. The workbook is written to a temporary file beside its final place and
moved there, and the :class:`QuarterlyReport` row is saved in one transaction:
a worker killed mid-build leaves neither a half file nor a half record.

Sheet names, titles and headers are translatable; :func:`build_report` writes
the workbook in the site's language (``settings.LANGUAGE_CODE``), whatever the
language of the request or worker that builds it.
"""

import os
import tempfile
import uuid
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cadres.models import Cadre
from dashboards import figures
from enterprises.models import Place
from issues import rates
from multiplication import selectors as doubling
from multiplication.rules import Category
from tabular.xlsx import header_row, new_workbook, print_setup, put, title_row, workbook_bytes
from visits.models import ProblemCategory
from visits.quarters import Quarter
from visits.selectors import coverage_of, due_in

from .models import QuarterlyReport

PERCENT = "0.0%"


def _rate(value):
    return "—" if value is None else value


def _sheet(wb, title, quarter, built, headers, rows, widths, percent_columns, first=False):
    ws = wb.active if first else wb.create_sheet(title)
    ws.title = title
    title_row(
        ws,
        _("%(quarter)s 干部联千企 %(title)s（生成于 %(built)s）")
        % {"quarter": quarter, "title": title, "built": f"{built:%Y-%m-%d %H:%M}"},
        len(headers),
    )
    header_row(ws, headers, 2, widths)
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values, start=1):
            percent = c in percent_columns and isinstance(value, float)
            put(ws, r, c, value, number_format=PERCENT if percent else None)
    print_setup(ws, header_rows=2)
    return ws


def _coverage_headers(rate=True):
    return [_("应走访结对"), _("已走访"), *([_("覆盖率")] if rate else [])]


def _resolution_headers(raised=None):
    return [raised or _("当年提出问题"), _("已解决"), _("解决率")]


def _coverage(row, rate=True):
    """Due, visited (and coverage) of a row of :func:`visits.selectors.coverage_of`; none: nothing due."""
    cells = (row.due, row.visited, _rate(row.rate)) if row else (0, 0, _rate(None))
    return cells if rate else cells[:2]


def _resolution(f):
    """Raised this year, resolved, the resolution rate (R16)."""
    return f.raised, f.resolved, _rate(f.rate)


def _in_quarter(f):
    return f.raised_in_quarter, f.resolved_in_quarter


def _figures_by(quarter, by):
    """:func:`issues.rates.figures_by`, zero figures where nothing was raised."""
    return defaultdict(rates.Figures, rates.figures_by(quarter, by))


def build_workbook(quarter: Quarter, built=None):
    built = built or timezone.localtime()
    due = due_in(quarter)
    wb, _first_sheet = new_workbook()

    units = {r.pk: r for r in coverage_of(due, "unit")}
    unit_rates = _figures_by(quarter, "unit")
    from cadres.models import Unit

    known = Unit.objects.filter(pk__in=set(units) | set(unit_rates)).order_by("sort_order", "name")
    names = dict(known.values_list("pk", "name"))
    _sheet(
        wb,
        _("按单位汇总"),
        quarter,
        built,
        [
            _("单位"),
            *_coverage_headers(),
            *_resolution_headers(),
            _("本季提出"),
            _("本季解决"),
            _("交办单按时办结率"),
        ],
        (
            (
                name,
                *_coverage(units.get(pk)),
                *_resolution(unit_rates[pk]),
                *_in_quarter(unit_rates[pk]),
                _rate(unit_rates[pk].on_time_rate),
            )
            for pk, name in names.items()
        ),
        [22, 12, 10, 10, 12, 10, 10, 10, 10, 16],
        {4, 7, 10},
        first=True,
    )

    cadres = {r.pk: r for r in coverage_of(due, "cadre")}
    cadre_rates = _figures_by(quarter, "cadre")
    people = Cadre.objects.filter(pk__in=set(cadres) | set(cadre_rates)).select_related("unit").order_by()
    _sheet(
        wb,
        _("按干部（年终考评依据）"),
        quarter,
        built,
        [_("单位"), _("姓名"), _("职级"), *_coverage_headers(rate=False), *_resolution_headers()],
        (
            (
                c.unit.name,
                c.name,
                c.get_rank_display(),
                *_coverage(cadres.get(c.pk), rate=False),
                *_resolution(cadre_rates[c.pk]),
            )
            for c in sorted(people, key=lambda c: (c.unit.sort_order, c.unit.name, c.name))
        ),
        [22, 10, 10, 12, 10, 12, 10, 10],
        {8},
    )

    by_category = _figures_by(quarter, "category")
    _sheet(
        wb,
        _("按问题类别"),
        quarter,
        built,
        [_("问题类别"), *_resolution_headers(raised=_("当年提出")), _("本季提出"), _("本季解决")],
        (
            (label, *_resolution(by_category[value]), *_in_quarter(by_category[value]))
            for value, label in ProblemCategory.choices
        ),
        [20, 10, 10, 10, 10, 10],
        {4},
    )

    towns = {r.pk: r for r in coverage_of(due, "place")}
    town_rates = _figures_by(quarter, "place")
    _sheet(
        wb,
        _("按镇街"),
        quarter,
        built,
        [_("镇（街道）"), *_coverage_headers(), *_resolution_headers()],
        (
            (place.name, *_coverage(towns.get(place.pk)), *_resolution(town_rates[place.pk]))
            for place in Place.objects.order_by("sort_order", "name")
        ),
        [16, 12, 10, 10, 12, 10, 10],
        {4, 7},
    )
    _doubling_sheet(wb, quarter, built)
    return wb


def _doubling_sheet(wb, quarter, built):
    """R17: each category's count at the end of this quarter and the last,
    and each plan's progress on the quarter's last day."""
    by_place = doubling.counts_on(quarter.last_day, by_place=True)  # one count serves both below
    now = doubling.city_counts(quarter.last_day, by_place)
    before = doubling.city_counts(quarter.previous().last_day)
    plans = {}
    for progress in doubling.plan_progress(quarter.last_day, by_place=by_place):
        plans.setdefault(progress.plan.category, []).append(progress)
    rows = []
    for category in Category:
        count_cells = [category.label, before[category], now[category], now[category] - before[category]]
        for progress in plans.get(category, [None]):
            if progress is None:
                rows.append([*count_cells, "", "", "", "", "", ""])
                continue
            city = progress.city
            rows.append(
                [
                    *count_cells,
                    progress.plan.title,
                    progress.plan.owner.name,
                    city.baseline,
                    city.target,
                    _rate(None if city.percent is None else city.percent / 100),
                    "—" if city.pace is None else city.pace,
                ]
            )
    _sheet(
        wb,
        _("六大倍增"),
        quarter,
        built,
        [
            _("类别"),
            _("上季末"),
            _("本季末"),
            _("本季增加"),
            _("倍增计划"),
            _("责任部门"),
            _("基数"),
            _("目标数"),
            _("完成进度"),
            _("每季度还需增加"),
        ],
        rows,
        [14, 10, 10, 10, 24, 16, 8, 8, 10, 14],
        {9},
    )


def build_report(quarter: Quarter, *, by_id=None) -> QuarterlyReport:
    """Build and publish the report of ``quarter``: complete or not at all.
    The dashboard's cells of the quarter are recounted first, so the
    dashboard shows the figures of the report just built."""
    figures.build(quarter)
    with translation.override(settings.LANGUAGE_CODE):
        content = workbook_bytes(build_workbook(quarter))
    name = f"reports/{quarter}-{timezone.localtime():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}.xlsx"
    final = Path(settings.MEDIA_ROOT) / name
    final.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=final.parent, prefix=".building-", delete=False) as temp:
        temp.write(content)
        temp.flush()
        os.fsync(temp.fileno())
    try:
        os.replace(temp.name, final)
        with transaction.atomic():
            return QuarterlyReport.objects.create(
                quarter=quarter.label, file=name, size=len(content), built_by_id=by_id
            )
    except BaseException:
        for path in (temp.name, final):
            if os.path.exists(path):
                os.remove(path)
        raise
