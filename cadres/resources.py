"""Spreadsheet columns for units, cadres and pairings. Natural keys: a unit by
its name, a cadre by mobile number, an enterprise by credit code, a place by
name. What a user may import is scoped by :mod:`cadres.permissions`."""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from import_export import fields, widgets
from import_export.results import RowResult
from tablib import Dataset

from enterprises.models import Enterprise, Place
from enterprises.resources import PlaceNames
from tabular.bulk_import import (
    LISTED_ERROR_ROWS,
    AllOrNothingResource,
    HeaderMap,
    listed_choices,
    row_message,
)
from tabular.cells import clean_text, compact_code, is_blank
from tabular.sheet import header_key, is_total_row
from tabular.widgets import ChineseDateWidget, ChoiceLabelWidget, YesNoWidget

from . import permissions
from .aliases import UnitNames
from .models import Cadre, Pairing, Unit
from .services import move_cadre, pairing_conflicts


class UnitResource(AllOrNothingResource):
    name = fields.Field(attribute="name", column_name="单位名称")
    kind = fields.Field(attribute="kind", column_name="单位类型", widget=ChoiceLabelWidget(Unit.Kind.choices))
    place = fields.Field(
        attribute="place", column_name="管辖地点", widget=widgets.ForeignKeyWidget(Place, "name")
    )
    principal_leader = fields.Field(
        attribute="principal_leader",
        column_name="第一责任人手机号",
        widget=widgets.ForeignKeyWidget(Cadre, "mobile"),
    )
    deputy_in_charge = fields.Field(
        attribute="deputy_in_charge",
        column_name="分管领导手机号",
        widget=widgets.ForeignKeyWidget(Cadre, "mobile"),
    )
    information_officer = fields.Field(
        attribute="information_officer",
        column_name="信息员手机号",
        widget=widgets.ForeignKeyWidget(Cadre, "mobile"),
    )

    natural_key = ("name",)
    lookup_fields = {
        "place": "name",
        "principal_leader": "mobile",
        "deputy_in_charge": "mobile",
        "information_officer": "mobile",
    }
    compact_attributes = ("mobile",)
    stores_preview = True
    template_example = {"name": "市经信局", "kind": "涉企部门"}

    class Meta:
        model = Unit
        fields = ("name", "kind", "place", "principal_leader", "deputy_in_charge", "information_officer")
        import_id_fields = ("name",)

    def changeable(self, queryset, user):
        return permissions.changeable_units(user, queryset)

    def lookup_aliases(self, attribute):
        return PlaceNames() if attribute == "place" else {}

    def existing_queryset(self):
        return Unit.objects.select_related(
            "place", "principal_leader", "deputy_in_charge", "information_officer"
        )


class CadreResource(AllOrNothingResource):
    name = fields.Field(attribute="name", column_name="姓名")
    unit = fields.Field(
        attribute="unit", column_name="所在单位", widget=widgets.ForeignKeyWidget(Unit, "name")
    )
    rank = fields.Field(attribute="rank", column_name="职级", widget=ChoiceLabelWidget(Cadre.Rank.choices))
    title = fields.Field(attribute="title", column_name="职务")
    is_leadership_member = fields.Field(
        attribute="is_leadership_member", column_name="班子成员", widget=YesNoWidget()
    )
    is_coordinator = fields.Field(
        attribute="is_coordinator", column_name="区域总协调人", widget=YesNoWidget()
    )
    mobile = fields.Field(attribute="mobile", column_name="手机号")
    email = fields.Field(attribute="email", column_name="电子邮箱")
    is_active = fields.Field(attribute="is_active", column_name="在岗", widget=YesNoWidget())

    natural_key = ("mobile",)
    lookup_fields = {"unit": "name"}
    compact_attributes = ("mobile",)
    stores_preview = True
    template_example = {
        "name": "王五",
        "unit": "市经信局",
        "rank": "中层",
        "title": "科长",
        "is_leadership_member": "否",
        "is_coordinator": "否",
        "mobile": "13900000001",
        "email": "",
        "is_active": "是",
    }

    class Meta:
        model = Cadre
        fields = (
            "name",
            "unit",
            "rank",
            "title",
            "is_leadership_member",
            "is_coordinator",
            "mobile",
            "email",
            "is_active",
        )
        import_id_fields = ("mobile",)

    def changeable(self, queryset, user):
        return permissions.changeable_cadres(user, queryset)

    def lookup_queryset(self, attribute, model, user):
        # A cadre may be placed only in a unit the importer manages.
        return permissions.managed_units(user, Unit.objects.all())

    def lookup_aliases(self, attribute):
        return UnitNames() if attribute == "unit" else {}

    def normalise_cell(self, column, value):
        value = super().normalise_cell(column, value)
        if column == "手机号" and isinstance(value, str):
            value = value.replace("-", "")
        return value

    def existing_queryset(self):
        return Cadre.objects.select_related("unit")

    def write(self, plan):
        """A changed unit is a move from today, through the service that
        dates it (issue 16); the other columns are written in bulk."""
        for row in plan.rows:
            if row.import_type == RowResult.IMPORT_TYPE_UPDATE and "unit" in row.changes:
                move_cadre(row.instance, unit=row.instance.unit, reason=gettext("表格导入"), by=self.user)
        super().write(plan)


class PairingResource(AllOrNothingResource):
    cadre = fields.Field(
        attribute="cadre", column_name="干部手机号", widget=widgets.ForeignKeyWidget(Cadre, "mobile")
    )
    cadre_name = fields.Field(attribute="cadre__name", column_name="干部姓名", readonly=True)
    unit_name = fields.Field(attribute="cadre__unit__name", column_name="所在单位", readonly=True)
    enterprise = fields.Field(
        attribute="enterprise",
        column_name="企业统一社会信用代码",
        widget=widgets.ForeignKeyWidget(Enterprise, "credit_code"),
    )
    enterprise_name = fields.Field(attribute="enterprise__name", column_name="企业名称", readonly=True)
    kind = fields.Field(
        attribute="kind", column_name="联系类型", widget=ChoiceLabelWidget(Pairing.Kind.choices)
    )
    start_date = fields.Field(attribute="start_date", column_name="开始日期", widget=ChineseDateWidget())
    end_date = fields.Field(attribute="end_date", column_name="到期日期", widget=ChineseDateWidget())
    ended_on = fields.Field(attribute="ended_on", column_name="提前结束日期", widget=ChineseDateWidget())
    ended_reason = fields.Field(attribute="ended_reason", column_name="提前结束原因")

    natural_key = ("cadre", "enterprise", "start_date")
    template_example = {
        "cadre": "13900000001",
        "enterprise": "913304831234567887",
        "kind": "部门联系",
        "start_date": "2026-03-27",
    }
    lookup_fields = {"cadre": "mobile", "enterprise": "credit_code"}
    compact_attributes = ("mobile", "credit_code")

    @classmethod
    def get_display_name(cls):
        return gettext("结对联系（干部手机号、企业信用代码）")

    class Meta:
        model = Pairing
        fields = (
            "cadre",
            "cadre_name",
            "unit_name",
            "enterprise",
            "enterprise_name",
            "kind",
            "start_date",
            "end_date",
            "ended_on",
            "ended_reason",
        )
        import_id_fields = ("cadre", "enterprise", "start_date")

    def changeable(self, queryset, user):
        return permissions.changeable_pairings(user, queryset)

    def lookup_queryset(self, attribute, model, user):
        if attribute == "cadre":
            return permissions.changeable_cadres(user, Cadre.objects.select_related("unit"))
        return Enterprise.objects.all()

    def existing_queryset(self):
        return Pairing.objects.select_related("cadre__unit", "enterprise")

    def check_rows(self, plan, user):
        """No overlap with the database or within the file; 包片 enterprises in
        the leader's area (R1, R5). Two queries for the whole file."""
        from .models import AreaAssignment

        cadre_ids = {r.instance.cadre_id for r in plan.rows}
        updated = {r.instance.pk for r in plan.rows if r.instance.pk}
        ranges = {}
        for pk, cadre_id, enterprise_id, start, end, ended in Pairing.objects.filter(
            cadre_id__in=cadre_ids
        ).values_list("pk", "cadre_id", "enterprise_id", "start_date", "end_date", "ended_on"):
            if pk not in updated:
                ranges.setdefault((cadre_id, enterprise_id), []).append((f"db{pk}", start, ended or end))
        for r in plan.rows:
            p = r.instance
            ranges.setdefault((p.cadre_id, p.enterprise_id), []).append(
                (f"row{r.number}", p.start_date, p.last_day)
            )
        areas = {}
        for cadre_id, place_id in AreaAssignment.objects.filter(cadre_id__in=cadre_ids).values_list(
            "cadre_id", "place_id"
        ):
            areas.setdefault(cadre_id, set()).add(place_id)
        for r in plan.rows:
            p = r.instance
            others = [
                (start, last)
                for token, start, last in ranges[(p.cadre_id, p.enterprise_id)]
                if token != f"row{r.number}"
            ]
            for attribute, message in pairing_conflicts(
                p, others=others, area_place_ids=areas.get(p.cadre_id, set())
            ).items():
                plan.add_error(r.number, self._column_of(attribute), message)


class ArrangementResource(PairingResource):
    """Attachment 2 as circulated (市涉企部门(单位)走访联系企业安排表, R20):
    the unit merged down its cadres, each cadre by name merged down their
    enterprises, several enterprises in a cell (separated by 、，；or new
    lines), an enterprise by its name, a start date written any way the
    office writes one (or the import's default). Each row becomes pairing
    rows of :class:`PairingResource`, checked and written the same way;
    messages name the sheet's own rows."""

    ARRANGEMENT_COLUMNS = {
        "unit": ("单位", "单位名称", "部门", "部门(单位)", "市涉企部门(单位)"),
        "cadre_name": ("联系人", "联系干部", "干部姓名", "姓名", "联系领导"),
        "mobile": ("联系人手机号", "手机号", "手机", "联系电话"),
        "enterprises": ("联系企业", "联系企业名称", "企业名称", "结对企业"),
        "start_date": ("开始日期", "联系时间", "结对日期", "开始时间"),
        "kind": ("联系类型",),
    }
    SEPARATORS = re.compile(r"[、，,；;\n\r]+")
    DEFAULT_KIND = "部门联系"

    @classmethod
    def get_display_name(cls):
        return gettext("附件2（走访联系企业安排表）")

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        converted, problems = self.convert(dataset)
        if problems:
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            for number, column, reason in problems[:LISTED_ERROR_ROWS]:
                result.append_invalid_row(
                    number, {}, ValidationError({column: [row_message(number, column, reason)]})
                )
                result.totals["invalid"] += 1
            result.more_error_rows = max(0, len(problems) - LISTED_ERROR_ROWS)
        else:
            result = super().import_data(converted, dry_run=dry_run, raise_errors=raise_errors, **kwargs)
        result.header_map = self.layout_map(dataset.headers or [])
        return result

    def layout_map(self, headers):
        """What the preview says of the sheet's columns: those the table
        carries beside the pairings (序号, the unit's leaders, a cadre's title
        and rank, the enterprises' towns) are for reading, not imported."""
        used = set(self._positions(headers).values())
        shown = [h for i, h in enumerate(headers) if i not in used and h]
        return HeaderMap(columns=list(headers), reference=shown)

    def _positions(self, headers):
        keys = [header_key(h) for h in headers]
        found = {}
        for name, candidates in self.ARRANGEMENT_COLUMNS.items():
            for candidate in candidates:
                key = header_key(candidate)
                if key in keys:
                    found[name] = keys.index(key)
                    break
        return found

    def convert(self, dataset):
        """``(pairing dataset, [(row, column, reason)])``."""
        at = self._positions(dataset.headers or [])
        missing = [
            self.ARRANGEMENT_COLUMNS[c][0] for c in ("unit", "cadre_name", "enterprises") if c not in at
        ]
        if missing:
            number = getattr(dataset, "header_row_number", 1)
            return None, [
                (number, "单位", f"附件2缺少“{'、'.join(missing)}”列（第 {number} 行被当作表头）。")
            ]
        first = getattr(dataset, "first_row_number", 2)
        units = {u.name: u for u in permissions.managed_units(self.user, Unit.objects.all())}
        unit_names = UnitNames()
        cadres = {}
        for cadre in Cadre.objects.filter(unit__in=list(units.values())).only("name", "mobile", "unit_id"):
            cadres.setdefault((cadre.unit_id, cadre.name), []).append(cadre.mobile)
        names = {}
        for code, name in Enterprise.objects.values_list("credit_code", "name"):
            names.setdefault(name, []).append(code)
        out = Dataset(headers=["干部手机号", "企业统一社会信用代码", "联系类型", "开始日期"])
        out.row_numbers, problems = [], []
        unit_text = cadre_text = None

        def cell(row, name):
            index = at.get(name)
            value = row[index] if index is not None and index < len(row) else None
            return None if is_blank(value) else clean_text(value) if isinstance(value, str) else value

        for index, row in enumerate(dataset):
            number = first + index
            if all(is_blank(v) for v in row) or is_total_row(row):
                continue
            # Merged cells are blank below their first row: fill them down.
            if cell(row, "unit") is not None:
                unit_text, cadre_text = cell(row, "unit"), None
            if cell(row, "cadre_name") is not None:
                cadre_text = cell(row, "cadre_name")
            enterprises = cell(row, "enterprises")
            if enterprises is None:
                continue
            unit = units.get(unit_names.get(unit_text)) if unit_text else None
            if unit is None:
                problems.append(
                    (
                        number,
                        "单位",
                        f"找不到单位“{unit_text or ''}”，或不在您有权管理的范围内。"
                        + listed_choices(list(units), len(units)),
                    )
                )
                continue
            mobile = cell(row, "mobile")
            mobiles = cadres.get((unit.pk, cadre_text), [])
            if mobile is not None:
                mobile = compact_code(mobile).replace("-", "")
            elif len(mobiles) == 1:
                mobile = mobiles[0]
            elif not mobiles:
                problems.append((number, "联系人", f"{unit.name}没有名为“{cadre_text or ''}”的在册干部。"))
                continue
            else:
                problems.append(
                    (
                        number,
                        "联系人",
                        f"{unit.name}有 {len(mobiles)} 位名为“{cadre_text}”的干部，请加“手机号”列注明。",
                    )
                )
                continue
            for name in (n.strip() for n in self.SEPARATORS.split(str(enterprises))):
                if not name:
                    continue
                codes = names.get(name, [])
                if len(codes) != 1:
                    reason = "企业库中没有这家企业" if not codes else f"企业库中有 {len(codes)} 家同名企业"
                    problems.append((number, "联系企业", f"“{name}”：{reason}。"))
                    continue
                start = cell(row, "start_date") or self.default_start
                out.append([mobile, codes[0], cell(row, "kind") or self.DEFAULT_KIND, start])
                out.row_numbers.append(number)
        return out, problems

    def __init__(self, user=None, default_start=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.default_start = default_start or timezone.localdate()
