"""The classified database (分类建库) of a category as an office sheet, and
with the cadres to ask about each member (R17)."""

from django.utils.translation import gettext as _

from tabular.xlsx import new_workbook, simple_sheet

from .rules import Category


def contacts_text(enterprise):
    return "；".join(
        f"{p.cadre.name}（{p.cadre.unit.name} {p.cadre.mobile}）"
        for p in getattr(enterprise, "active_pairings", [])
    )


def member_rows(memberships):
    for m in memberships:
        e = m.enterprise
        yield [
            e.name,
            e.credit_code,
            e.place.name,
            e.industry,
            m.started_on,
            _evidence(m),
            contacts_text(e),
        ]


def _evidence(m):
    if m.category in (Category.ABOVE_SIZE, Category.BILLION):
        return f"{m.statistics_year} 年营业收入 {m.revenue} 万元（{m.get_revenue_source_display()}）"
    if m.category == Category.FOREIGN:
        return f"{m.approval_number} {m.approval_date or ''}".strip()
    if m.category == Category.HIGH_TECH:
        return f"{m.certificate_number}，{m.certificate_issued_on} 至 {m.certificate_expires_on}"
    if m.category == Category.JOINT_STOCK:
        return f"{m.converted_on} 股改"
    return f"{m.get_exchange_display()} {m.stock_code}，{m.listed_on} 上市"


MEMBER_HEADERS = ["企业名称", "统一社会信用代码", "所在镇（街道）", "行业", "纳入日期", "证据", "联系干部"]
MEMBER_WIDTHS = [28, 21, 12, 12, 11, 36, 40]


def members_workbook(category, day, memberships):
    wb, ws = new_workbook()
    ws.title = str(Category(category).label)
    title = _("%(category)s分类库（%(day)s）") % {"category": Category(category).label, "day": day}
    simple_sheet(ws, title, [_(h) for h in MEMBER_HEADERS], member_rows(memberships), MEMBER_WIDTHS)
    return wb
