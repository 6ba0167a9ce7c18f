"""Feedback forms as spreadsheet rows (export)."""

from import_export import fields, resources, widgets

from tabular.columns import columns
from tabular.widgets import ChineseDateWidget, ChoiceLabelWidget, YesNoWidget

from .models import Visit, VisitMode

_TEXT_COLUMNS = columns(
    unit=("cadre__unit__name", "单位"),
    cadre=("cadre__name", "联系干部"),
    enterprise=("enterprise__name", "企业"),
    credit_code=("enterprise__credit_code", "统一社会信用代码"),
    place=("enterprise__place__name", "所在镇（街道）"),
    situation="企业发展现状",
    urgent_services="迫切需要的服务",
    policies_explained="宣讲的政策",
    suggestions="意见建议",
)


class VisitResource(_TEXT_COLUMNS, resources.ModelResource):
    # Dates and figures as such (an xlsx prints them as dates and numbers).
    visit_date = fields.Field(attribute="visit_date", column_name="走访日期", widget=ChineseDateWidget())
    mode = fields.Field(attribute="mode", column_name="走访方式", widget=ChoiceLabelWidget(VisitMode.choices))
    companions = fields.Field(column_name="同行干部")
    met_head = fields.Field(attribute="met_head", column_name="与负责人面谈", widget=YesNoWidget())
    talked_to_workers = fields.Field(
        attribute="talked_to_workers", column_name="与一线员工交谈", widget=YesNoWidget()
    )
    output_value = fields.Field(
        attribute="output_value", column_name="产值（万元）", widget=widgets.DecimalWidget()
    )
    sales = fields.Field(attribute="sales", column_name="销售（万元）", widget=widgets.DecimalWidget())
    tax = fields.Field(attribute="tax", column_name="税收（万元）", widget=widgets.DecimalWidget())
    employees = fields.Field(attribute="employees", column_name="职工人数", widget=widgets.IntegerWidget())
    problems = fields.Field(column_name="发现的问题")
    status = fields.Field(
        attribute="status", column_name="状态", widget=ChoiceLabelWidget(Visit.Status.choices)
    )

    class Meta:
        model = Visit
        fields = (
            "unit", "cadre", "enterprise", "credit_code", "place", "visit_date", "mode", "companions",
            "met_head", "talked_to_workers", "output_value", "sales", "tax", "employees", "situation",
            "problems", "urgent_services", "policies_explained", "suggestions", "status",
        )  # fmt: skip

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)

    def dehydrate_companions(self, visit):
        return "、".join(c.name for c in visit.companions.all())

    def dehydrate_problems(self, visit):
        return "；".join(f"【{p.get_category_display()}】{p.description}" for p in visit.problems.all())
