"""The quarterly resolution-rate report (R16): one xlsx workbook per quarter
and version.

Every figure is added up from the cells the dashboards read
(:mod:`dashboards.figures`): a closed quarter's frozen cells, else the cells
counted just before the build, so the report and the pages agree to the
digit. A quarter not closed yet has one provisional report (版本 0, 未关账),
replaced by the next build; a closed quarter has one report per published
version (issue 16): 第 1 版 when it closes, and after each re-close a new
numbered version that says 更正 with its date and lists the corrections. A
version's file, once written, is kept and never rebuilt.

The workbook is written to a temporary file beside its final place and moved
there, and the :class:`QuarterlyReport` row is saved in one transaction: a
worker killed mid-build leaves neither a half file nor a half record.

Sheet names, titles and headers are translatable; :func:`build_report` writes
the workbook in the site's language (``settings.LANGUAGE_CODE``), whatever the
language of the request or worker that builds it.
"""

import datetime
import functools
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cadres import closing
from cadres.models import Cadre, Correction, Unit
from dashboards import figures
from enterprises.models import Place
from issues import rates
from multiplication import selectors as doubling
from multiplication.rules import Category
from tabular.percent import PERCENT_FORMAT
from tabular.percent import spreadsheet_rate as _rate
from tabular.xlsx import header_row, new_workbook, print_setup, put, title_row, workbook_bytes
from visits.models import ProblemCategory
from visits.quarters import Quarter

from .models import QuarterlyReport

PROVISIONAL = 0


def edition(quarter: Quarter, version: int, corrected_at=None) -> str:
    """What a report's title says of its figures: provisional, a closed
    version, or a corrected one with the day of the correction."""
    if version == PROVISIONAL:
        return _("未关账，数据可能变动")
    if version == 1 or corrected_at is None:
        return _("第 %(version)s 版，已关账") % {"version": version}
    return _("第 %(version)s 版，更正 %(day)s") % {
        "version": version,
        "day": f"{timezone.localtime(corrected_at):%Y-%m-%d}",
    }


@dataclass(frozen=True)
class _Book:
    """The workbook being written and what every sheet's title names."""

    wb: object
    quarter: Quarter
    built: datetime.datetime
    note: str


def _sheet(book, title, headers, rows, widths, percent_columns, first=False):
    ws = book.wb.active if first else book.wb.create_sheet(title)
    ws.title = title
    title_row(
        ws,
        _("%(quarter)s 干部联千企 %(title)s（%(note)s，生成于 %(built)s）")
        % {
            "quarter": book.quarter,
            "title": title,
            "note": book.note,
            "built": f"{book.built:%Y-%m-%d %H:%M}",
        },
        len(headers),
    )
    header_row(ws, headers, 2, widths)
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values, start=1):
            percent = c in percent_columns and isinstance(value, float)
            put(ws, r, c, value, number_format=PERCENT_FORMAT if percent else None)
    print_setup(ws, header_rows=2)
    return ws


def _rate_cells(t):
    """当年提出, 上年结转, 已解决, 解决率 of a scope's totals."""
    return (t.raised, t.carried, t.resolved, _rate(t.rate))


def _scope_headers():
    """The headers of :func:`_scope_cells`."""
    return [
        _("应走访结对"),
        _("已走访"),
        _("覆盖率"),
        _("当年提出问题"),
        _("上年结转"),
        _("已解决"),
        _("解决率"),
    ]


def _scope_cells(t):
    """A unit's or a town's visits, coverage and resolution of a quarter."""
    return (t.due, t.visited, _rate(t.coverage), *_rate_cells(t))


def build_workbook(quarter: Quarter, built=None, *, version=None, corrected_at=None):
    """The report of ``quarter`` from the cells its pages read. ``version``:
    the edition the title names (the quarter's published version by default,
    provisional when it is not closed)."""
    built = built or timezone.localtime()
    if version is None:
        version = closing.published([quarter.label]).get(quarter.label, PROVISIONAL)
    wb, _first_sheet = new_workbook()
    book = _Book(wb, quarter, built, edition(quarter, version, corrected_at))

    units = {pk: t for pk, _name, t in figures.by_unit(quarter)}
    known = Unit.objects.filter(pk__in=units).order_by("sort_order", "name")
    _sheet(
        book,
        _("按单位汇总"),
        [
            _("单位"),
            *_scope_headers(),
            _("本季提出"),
            _("本季解决"),
            _("交办单按时办结率"),
        ],
        (
            (
                unit.name,
                *_scope_cells(units[unit.pk]),
                units[unit.pk].raised_in_quarter,
                units[unit.pk].resolved_in_quarter,
                _rate(units[unit.pk].on_time_rate),
            )
            for unit in known
        ),
        [22, 12, 10, 10, 12, 10, 10, 10, 10, 10, 16],
        {4, 8, 11},
        first=True,
    )

    people = figures.by_cadre_and_unit(quarter)
    cadres = Cadre.objects.in_bulk({cadre for cadre, _unit, _t in people})
    unit_rows = Unit.objects.in_bulk({unit for _cadre, unit, _t in people if unit is not None})

    def order(row):
        unit = unit_rows.get(row[1])
        return (unit.sort_order if unit else 0, unit.name if unit else "", cadres[row[0]].name)

    _sheet(
        book,
        _("按干部（年终考评依据）"),
        [
            _("单位"),
            _("姓名"),
            _("职级"),
            _("应走访结对"),
            _("已走访"),
            _("当年提出问题"),
            _("上年结转"),
            _("已解决"),
            _("解决率"),
        ],
        (
            (
                unit_rows[unit].name if unit in unit_rows else "",
                cadres[cadre].name,
                cadres[cadre].get_rank_display(),
                t.due,
                t.visited,
                *_rate_cells(t),
            )
            for cadre, unit, t in sorted(people, key=order)
        ),
        [22, 10, 10, 12, 10, 12, 10, 10, 10],
        {9},
    )

    by_category = figures.by_category(quarter)
    _sheet(
        book,
        _("按问题类别"),
        [_("问题类别"), _("当年提出"), _("上年结转"), _("已解决"), _("解决率"), _("本季提出"), _("本季解决")],
        (
            (
                label,
                *_rate_cells(by_category.get(value, figures.Totals())),
                by_category.get(value, figures.Totals()).raised_in_quarter,
                by_category.get(value, figures.Totals()).resolved_in_quarter,
            )
            for value, label in ProblemCategory.choices
        ),
        [20, 10, 10, 10, 10, 10, 10],
        {5},
    )

    towns = figures.by_place(quarter)
    _sheet(
        book,
        _("按镇街"),
        [
            _("镇（街道）"),
            *_scope_headers(),
        ],
        (
            (
                place.name,
                *_scope_cells(towns.get(place.pk, figures.Totals())),
            )
            for place in Place.objects.order_by("sort_order", "name")
        ),
        [16, 12, 10, 10, 12, 10, 10, 10],
        {4, 8},
    )
    _satisfaction_sheet(book, quarter, units)
    _doubling_sheet(book)
    if version > 1:
        _corrections_sheet(book, version)
    return wb


def _satisfaction_sheet(book, quarter, units):
    """满意率 per unit: the spot checks' follow-ups (from the cells) beside the
    enterprises' own verdicts on resolutions (:func:`issues.rates.enterprise_satisfaction_by`),
    默认满意 apart; the city's row first."""
    verdicts = rates.enterprise_satisfaction_by(quarter, "unit")
    none = rates.EnterpriseSatisfaction()

    def cells(name, checks, given):
        return (
            name, checks.responses, _rate(checks.rate), given.answered, given.satisfied + given.basic,
            _rate(given.rate), given.deemed,
        )  # fmt: skip

    city = figures.totals(quarter)
    rows = [cells(_("全市"), city.satisfaction, rates.enterprise_satisfaction_by(quarter))]
    counted = {pk for pk, t in units.items() if t.responses} | set(verdicts)
    rows += [
        cells(unit.name, units.get(unit.pk, figures.Totals()).satisfaction, verdicts.get(unit.pk, none))
        for unit in Unit.objects.filter(pk__in=counted).order_by("sort_order", "name")
    ]
    _sheet(
        book,
        _("满意率"),
        [
            _("单位"),
            _("抽查回访"),
            _("回访满意率"),
            _("企业答复"),
            _("满意和基本满意"),
            _("企业评价满意率"),
            _("默认满意"),
        ],
        rows,
        [22, 10, 12, 10, 14, 14, 10],
        {3, 6},
    )


def _corrections_sheet(book, version):
    """更正说明: what the re-close that published ``version`` corrected."""
    quarter = book.quarter
    rows = Correction.objects.filter(
        closing__quarter=quarter.label, status=Correction.Status.APPLIED, applied_in=version
    ).order_by("kind", "at", "pk")
    _sheet(
        book,
        _("更正说明"),
        [_("时间"), _("类别"), _("内容"), _("原值"), _("新值"), _("操作人"), _("原因")],
        (
            (
                f"{timezone.localtime(c.at):%Y-%m-%d %H:%M}",
                c.get_kind_display(),
                c.what,
                c.old,
                c.new,
                c.actor_name or (_("系统") if c.kind == Correction.Kind.FACT else ""),
                c.why,
            )
            for c in rows
        ),
        [17, 12, 44, 16, 20, 12, 30],
        set(),
    )


def _doubling_sheet(book):
    """R17: each category's count at the end of this quarter and the last,
    and each plan's progress on the quarter's last day."""
    quarter = book.quarter
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
                    _rate(city.share),
                    "—" if city.pace is None else city.pace,
                ]
            )
    _sheet(
        book,
        _("六大倍增"),
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

    A closed quarter: its published version's report, built once (a second
    build returns the file already kept). A quarter not closed: its cells are
    recounted first, so the dashboard shows the figures of the report just
    built, and the new provisional report replaces the one before."""
    state = closing.row(quarter.label)
    version = closing.published([quarter.label]).get(quarter.label, PROVISIONAL)
    if version != PROVISIONAL:
        kept = QuarterlyReport.objects.filter(quarter=quarter.label, version=version).first()
        if kept is not None:
            return kept
    else:
        figures.build(quarter)
    corrected_at = state.corrected_at if state is not None and version > 1 else None
    with translation.override(settings.LANGUAGE_CODE):
        content = workbook_bytes(build_workbook(quarter, version=version, corrected_at=corrected_at))
    name = f"reports/{quarter}-v{version}-{timezone.localtime():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}.xlsx"
    final = Path(settings.MEDIA_ROOT) / name
    final.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=final.parent, prefix=".building-", delete=False) as temp:
        temp.write(content)
        temp.flush()
        os.fsync(temp.fileno())
    try:
        os.replace(temp.name, final)
        with transaction.atomic():
            replaced = list(QuarterlyReport.objects.filter(quarter=quarter.label, version=PROVISIONAL))
            built = QuarterlyReport.objects.create(
                quarter=quarter.label,
                file=name,
                size=len(content),
                built_by_id=by_id,
                version=version,
                corrected_on=timezone.localdate(corrected_at) if corrected_at else None,
            )
            for old in replaced:  # a provisional report gives way to the next build
                old.delete()
                transaction.on_commit(functools.partial(old.file.storage.delete, old.file.name))
            return built
    except IntegrityError:  # another worker published this version first: keep theirs
        _remove(temp.name, final)
        return QuarterlyReport.objects.get(quarter=quarter.label, version=version)
    except BaseException:
        _remove(temp.name, final)
        raise


def _remove(*paths):
    for path in paths:
        if os.path.exists(path):
            os.remove(path)
