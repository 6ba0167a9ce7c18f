"""A category list as a spreadsheet (分类建库): the statistics bureau's 规上
list for a year, the commerce bureau's foreign-funded list, the science
bureau's high-tech certificates… Rows are identified by the credit code.

Imported through django-import-export's admin preview and confirm, with the
all-or-nothing checks of :mod:`tabular.bulk_import`. The category, the
statistics year and the effective date come from the import form. The
preview shows who enters, who stays and who leaves (members missing from the
list); confirming applies the list through
:func:`multiplication.services.apply_list_change`, the same write the revenue
derivation uses.
"""

import statistics
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from import_export import fields, widgets
from import_export.results import Error

from enterprises import services as enterprise_services
from enterprises.credit_code import validate_credit_code
from enterprises.models import Enterprise, Place
from enterprises.resources import PlaceNames
from tabular.bulk_import import AllOrNothingResource
from tabular.cells import clean_text, compact_code, is_blank
from tabular.widgets import ChineseDateWidget, ChineseDecimalWidget, ChoiceLabelWidget

from . import selectors, services
from .models import Exchange, Membership, MembershipSource, RevenueSource
from .rules import REVENUE_CATEGORIES, Category, revenue_threshold

# The evidence a list's rows carry; the statistics year and the figure's
# source come from the import form.
LIST_COLUMNS = tuple(f for f in services.EVIDENCE_FIELDS if f not in ("statistics_year", "revenue_source"))


class CategoryListResource(AllOrNothingResource):
    credit_code = fields.Field(
        attribute="enterprise",
        column_name="统一社会信用代码",
        widget=widgets.ForeignKeyWidget(Enterprise, "credit_code"),
    )
    enterprise_name = fields.Field(attribute="enterprise__name", column_name="企业名称", readonly=True)
    place = fields.Field(attribute="enterprise__place__name", column_name="所在镇（街道）", readonly=True)
    category_label = fields.Field(attribute="get_category_display", column_name="类别", readonly=True)
    started_on = fields.Field(
        attribute="started_on", column_name="纳入日期", widget=ChineseDateWidget(), readonly=True
    )
    revenue = fields.Field(attribute="revenue", column_name="营业收入（万元）", widget=ChineseDecimalWidget())
    approval_number = fields.Field(attribute="approval_number", column_name="外资批准（备案）文号")
    approval_date = fields.Field(
        attribute="approval_date", column_name="外资批准日期", widget=ChineseDateWidget()
    )
    certificate_number = fields.Field(attribute="certificate_number", column_name="高新证书编号")
    certificate_issued_on = fields.Field(
        attribute="certificate_issued_on", column_name="发证日期", widget=ChineseDateWidget()
    )
    certificate_expires_on = fields.Field(
        attribute="certificate_expires_on", column_name="证书有效期至", widget=ChineseDateWidget()
    )
    converted_on = fields.Field(
        attribute="converted_on", column_name="股份制改造日期", widget=ChineseDateWidget()
    )
    exchange = fields.Field(
        attribute="exchange", column_name="上市交易所", widget=ChoiceLabelWidget(Exchange.choices)
    )
    stock_code = fields.Field(attribute="stock_code", column_name="股票代码")
    listed_on = fields.Field(attribute="listed_on", column_name="上市日期", widget=ChineseDateWidget())
    note = fields.Field(attribute="note", column_name="备注")

    natural_key = ("enterprise",)
    lookup_fields = {"enterprise": "credit_code"}
    compact_attributes = ("credit_code", "stock_code")
    header_aliases = {
        "信用代码": "enterprise",
        "社会信用代码": "enterprise",
        "营业收入": "revenue",
        "主营业务收入": "revenue",
        "工业总产值": "revenue",
        "单位详细名称": "enterprise__name",
        "单位名称": "enterprise__name",
        "所在镇": "enterprise__place__name",
        "镇(街道)": "enterprise__place__name",
    }
    money_attributes = ("revenue",)
    template_example = {"enterprise": "913304831234567887", "revenue": 2500}
    # Missing enterprises: "" (list them and ask), "add" (add them to the
    # register first), "skip" (import the list without them).
    MISSING_CHOICES = ("", "add", "skip")

    class Meta:
        model = Membership
        fields = (
            "credit_code",
            "enterprise_name",
            "place",
            "category_label",
            "started_on",
            *LIST_COLUMNS,
        )
        import_id_fields = ("credit_code",)

    def __init__(self, user=None, category=None, year=None, effective_on=None, missing="", **kwargs):
        super().__init__(user=user, **kwargs)
        self.missing_choice = missing or ""
        self.missing = []
        self.category = category
        self.year = year
        self.effective_on = effective_on
        if year and not effective_on:
            self.effective_on = services.default_effective_on(year)
        self.change = None

    def get_export_queryset(self, request=None):
        return Membership.objects.select_related("enterprise__place")

    # -- the list's context -------------------------------------------------

    def existing_queryset(self):
        return selectors.members_on(self.category, self.effective_on).select_related("enterprise")

    def fixed_values(self):
        values = {"category": self.category}
        if self.category in REVENUE_CATEGORIES:
            values.update(statistics_year=self.year, revenue_source=RevenueSource.STATISTICS)
        return values

    def prepare_new(self, instance, user):
        instance.started_on = self.effective_on
        instance.source = MembershipSource.IMPORT

    def check_rows(self, plan, user):
        """Rows of a 规上 or 亿元 list below the threshold are refused: the
        usual cause is a column in 元 or 千元 instead of 万元."""
        if self.category in REVENUE_CATEGORIES:
            threshold = revenue_threshold(self.category)
            for row in plan.rows:
                revenue = row.instance.revenue
                if revenue is not None and revenue < threshold:
                    plan.add_error(
                        row.number,
                        "营业收入（万元）",
                        f"{revenue} 万元低于{Category(self.category).label}标准 {threshold} 万元"
                        f"（请确认单位是万元）。 / Below the {threshold} (10k yuan) threshold;"
                        " check the unit is 万元.",
                    )
        if plan.ok and self.category in REVENUE_CATEGORIES:
            self.check_unit_against_register(plan)
        if not plan.ok:
            return
        entries = {
            row.instance.enterprise_id: {a: getattr(row.instance, a) for a in services.EVIDENCE_FIELDS}
            for row in plan.rows
        }
        self.change = services.plan_list_change(self.category, self.effective_on, entries, year=self.year)

    def check_unit_against_register(self, plan):
        """Figures in 千元 (or 元) under a 万元 header: the list's revenues
        run about 10 (or 10,000) times the register's for the same enterprises."""
        ids = [r.instance.enterprise_id for r in plan.rows if r.instance.revenue]
        register = dict(
            Enterprise.objects.filter(pk__in=ids, annual_revenue__gt=0).values_list("pk", "annual_revenue")
        )
        ratios = [
            r.instance.revenue / register[r.instance.enterprise_id]
            for r in plan.rows
            if r.instance.revenue and r.instance.enterprise_id in register
        ]
        if len(ratios) < 3:
            return
        median = statistics.median(ratios)
        for low, high, unit in ((Decimal(5), Decimal(20), "千元"), (Decimal(5000), Decimal(20000), "元")):
            if low <= median <= high:
                plan.add_error(
                    0,
                    "营业收入（万元）",
                    f"名单的营业收入普遍约为企业库登记数的 {median:.0f} 倍，看起来是以{unit}填写的，"
                    f"却按万元读取。请把表头改为“营业收入（{unit}）”或换算为万元后再导入，未写入任何数据。"
                    f" / The figures run about {median:.0f}x the register's: they look like {unit}.",
                )

    def write(self, plan):
        services.apply_list_change(self.change, user=self.user)

    # -- the whole file ------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        problem = self.list_problem(dataset)
        if not problem:
            self.missing = self.missing_rows(dataset)
            problem = self.missing_problem(dry_run)
        if problem:
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            result.append_base_error(Error(ValidationError(problem)))
            result.missing_enterprises = self.missing
            return result
        if self.missing and self.missing_choice == "add" and not dry_run:
            with transaction.atomic():
                enterprise_services.add_enterprises([m["enterprise"] for m in self.missing])
                result = super().import_data(dataset, dry_run=False, raise_errors=raise_errors, **kwargs)
                if result.has_errors() or result.has_validation_errors():
                    transaction.set_rollback(True)
        else:
            for entry in self.missing:
                dataset[entry["index"]] = [None] * dataset.width
            result = super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)
        result.list_change = self.change
        result.missing_enterprises = self.missing
        result.missing_choice = self.missing_choice
        return result

    def missing_rows(self, dataset):
        """Rows whose credit code is well-formed but absent from the register,
        with what adding them would take (name and place from the list)."""
        columns = self.map_headers(dataset.headers or []).columns
        position = {c: i for i, c in enumerate(columns)}
        code_at = position.get("统一社会信用代码")
        if code_at is None:
            return []
        codes = {}
        for index, row in enumerate(dataset):
            code = compact_code(row[code_at]) if not is_blank(row[code_at]) else ""
            try:
                validate_credit_code(code)
            except ValidationError:
                continue
            codes.setdefault(code, index)
        known = set(
            Enterprise.objects.filter(credit_code__in=list(codes)).values_list("credit_code", flat=True)
        )
        places = PlaceNames()

        place_by_name = {p.name: p for p in Place.objects.all()}
        first = getattr(dataset, "first_row_number", 2)
        missing = []
        for code, index in codes.items():
            if code in known:
                continue
            row = dataset[index]

            def cell(column, row=row):
                at = position.get(column)
                return clean_text(row[at]) if at is not None and not is_blank(row[at]) else ""

            name, place_text = cell("企业名称"), cell("所在镇（街道）")
            place = place_by_name.get(places.get(place_text)) if place_text else None
            entry = {"index": index, "number": first + index, "code": code, "name": name, "place": place_text}
            entry["problem"] = (
                "缺少企业名称" if not name else "" if place else f"所在镇（街道）“{place_text}”无法识别"
            )
            entry["enterprise"] = {"credit_code": code, "name": name, "place": place}
            missing.append(entry)
        return missing

    def missing_problem(self, dry_run):
        if not self.missing:
            return ""
        listed = "；".join(
            f"第 {m['number']} 行 {m['name'] or '（无名称）'}（{m['code']}）" for m in self.missing[:20]
        )
        more = f" 等 {len(self.missing)} 家" if len(self.missing) > 20 else ""
        if self.missing_choice == "add":
            bad = [m for m in self.missing if m["problem"]]
            if bad:
                return (
                    "以下企业不在企业库中，无法加入企业库："
                    + "；".join(f"第 {m['number']} 行{m['problem']}" for m in bad[:20])
                    + "。名单需有“企业名称”和“所在镇（街道）”列才能加入企业库；也可选择“不导入这些企业”。"
                    " / These enterprises cannot be added to the register: name or town missing."
                )
            return ""
        if self.missing_choice == "" and not dry_run:
            return (
                f"名单中有 {len(self.missing)} 家企业不在企业库中：{listed}{more}。"
                "请选择“加入企业库”或“不导入这些企业”后再确认，未写入任何数据。"
                " / Some enterprises are not in the register; choose to add them or leave them out."
            )
        return ""

    def list_problem(self, dataset):
        if not self.category or not self.effective_on:
            return "请选择类别和名单年度。 / Choose the category and the list's year."
        if not any(any(not is_blank(v) for v in row) for row in dataset):
            return (
                "名单没有数据行：导入空名单会让所有企业退出该类别，已拒绝。"
                " / The list has no rows; an empty list would remove every member, so it was refused."
            )
        return services.list_date_problem(self.category, self.effective_on)
