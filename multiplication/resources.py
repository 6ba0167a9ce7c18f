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

from django.core.exceptions import ValidationError
from import_export import fields, widgets
from import_export.results import Error

from enterprises.models import Enterprise
from tabular.bulk_import import AllOrNothingResource
from tabular.cells import is_blank
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

    def __init__(self, user=None, category=None, year=None, effective_on=None, **kwargs):
        super().__init__(user=user, **kwargs)
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
        if not plan.ok:
            return
        entries = {
            row.instance.enterprise_id: {a: getattr(row.instance, a) for a in services.EVIDENCE_FIELDS}
            for row in plan.rows
        }
        self.change = services.plan_list_change(self.category, self.effective_on, entries, year=self.year)

    def write(self, plan):
        services.apply_list_change(self.change, user=self.user)
        # The preview's new rows become the saved ones, for the admin's log.
        created = {m.enterprise_id: m for m in self.change.entering}
        for row in plan.rows:
            if row.instance.pk is None:
                row.instance = created.get(row.instance.enterprise_id, row.instance)

    # -- the whole file ------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        problem = self.list_problem(dataset)
        if problem:
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            result.append_base_error(Error(ValidationError(problem)))
            return result
        result = super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)
        result.list_change = self.change
        return result

    def list_problem(self, dataset):
        if not self.category or not self.effective_on:
            return "请选择类别和名单年度。 / Choose the category and the list's year."
        if not any(any(not is_blank(v) for v in row) for row in dataset):
            return (
                "名单没有数据行：导入空名单会让所有企业退出该类别，已拒绝。"
                " / The list has no rows; an empty list would remove every member, so it was refused."
            )
        return services.list_date_problem(self.category, self.effective_on)
