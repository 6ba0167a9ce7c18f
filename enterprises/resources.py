"""Spreadsheet columns for the enterprise register (xlsx and csv, admin and
commands alike). Rows are identified by the credit code; the place by its name."""

from import_export import fields, widgets
from import_export.results import RowResult

from tabular.bulk_import import AllOrNothingResource
from tabular.columns import columns
from tabular.widgets import ChineseDecimalWidget, ChineseIntegerWidget, ChoiceLabelWidget

from . import services
from .aliases import canonical_place, place_aliases
from .models import Enterprise, Place

_TEXT_COLUMNS = columns(
    name="企业名称",
    credit_code="统一社会信用代码",
    address="地址",
    industry="行业",
    legal_representative="法定代表人",
    contact_name="企业联系人",
    contact_phone="企业联系电话",
)


class EnterpriseResource(_TEXT_COLUMNS, AllOrNothingResource):
    place = fields.Field(
        attribute="place", column_name="所在镇（街道）", widget=widgets.ForeignKeyWidget(Place, "name")
    )
    employees = fields.Field(attribute="employees", column_name="职工人数", widget=ChineseIntegerWidget())
    annual_revenue = fields.Field(
        attribute="annual_revenue", column_name="上年营业收入（万元）", widget=ChineseDecimalWidget()
    )
    revenue_year = fields.Field(
        attribute="revenue_year", column_name="营业收入年度", widget=ChineseIntegerWidget()
    )

    natural_key = ("credit_code",)
    lookup_fields = {"place": "name"}
    compact_attributes = ("credit_code", "contact_phone")
    stores_preview = True
    # The wording of the registers the office circulates.
    header_aliases = {
        "单位名称": "name",
        "单位详细名称": "name",
        "企业详细名称": "name",
        "企业(单位)名称": "name",
        "统一社会信用代码(组织机构代码)": "credit_code",
        "信用代码": "credit_code",
        "社会信用代码": "credit_code",
        "所在镇": "place",
        "所在镇街": "place",
        "所在镇(街道、园区)": "place",
        "镇(街道)": "place",
        "镇街": "place",
        "属地": "place",
        "所属镇(街道)": "place",
        "详细地址": "address",
        "单位地址": "address",
        "企业地址": "address",
        "所属行业": "industry",
        "行业类别": "industry",
        "法人代表": "legal_representative",
        "法定代表人(负责人)": "legal_representative",
        "联系人": "contact_name",
        "联系电话": "contact_phone",
        "电话": "contact_phone",
        "联系人电话": "contact_phone",
        "手机": "contact_phone",
        "从业人员": "employees",
        "从业人数": "employees",
        "职工数": "employees",
        "年末从业人员": "employees",
        "营业收入": "annual_revenue",
        "主营业务收入": "annual_revenue",
        "销售收入": "annual_revenue",
        "年度": "revenue_year",
    }
    money_attributes = ("annual_revenue",)
    header_year_attributes = {"annual_revenue": "revenue_year"}
    template_example = {
        "name": "桐乡市示例纺织有限公司",
        "credit_code": "913304831234567887",
        "place": "濮院镇",
        "address": "濮院镇工业园区1号",
        "industry": "毛衫",
        "legal_representative": "张三",
        "contact_name": "李四",
        "contact_phone": "13900000000",
        "employees": 120,
        "annual_revenue": 2500,
        "revenue_year": 2025,
    }

    class Meta:
        model = Enterprise
        fields = (
            "name",
            "credit_code",
            "place",
            "address",
            "industry",
            "legal_representative",
            "contact_name",
            "contact_phone",
            "employees",
            "annual_revenue",
            "revenue_year",
        )
        import_id_fields = ("credit_code",)
        skip_unchanged = True
        report_skipped = True

    def existing_queryset(self):
        return Enterprise.objects.select_related("place")

    def after_write(self, rows):
        """A register that gives the contact's phone gives the enterprise its
        contact (issue 17) when the phone is a mobile, in the import's
        transaction (:func:`enterprises.services.contacts_from_register`)."""
        if not rows or "contact_phone" not in rows[0][1]:
            return  # a file without the phone column says nothing of contacts
        services.contacts_from_register(
            [
                (values["credit_code"], import_type != RowResult.IMPORT_TYPE_SKIP)
                for import_type, values in rows
            ],
            by=self.user,
        )

    def lookup_aliases(self, attribute):
        return PlaceNames()


class PlaceNames:
    """乌镇, 凤鸣, 桐乡市乌镇镇, 开发区 … → the place's own name."""

    def __init__(self):
        self.aliases = place_aliases()

    def get(self, key, default=None):
        return canonical_place(key, self.aliases) if isinstance(key, str) else key


class PlaceResource(AllOrNothingResource):
    name = fields.Field(attribute="name", column_name="名称")
    kind = fields.Field(attribute="kind", column_name="类型", widget=ChoiceLabelWidget(Place.Kind.choices))

    natural_key = ("name",)
    stores_preview = True
    template_example = {"name": "濮院镇", "kind": "镇"}

    class Meta:
        model = Place
        fields = ("name", "kind")
        import_id_fields = ("name",)
