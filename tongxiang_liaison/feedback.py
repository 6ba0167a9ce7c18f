"""The feedback form's pages (Attachment 1, R9): the form itself is the
visits app's (:func:`visits.views.visit_form`); what submitting it means — the
hand-over to the issue list and the registry — is this layer's action
(:func:`tongxiang_liaison.actions.submit_feedback`), so the pages are mounted here."""

from django.utils.translation import gettext as _

from tabular.routes import Routes
from visits import views as visit_views

from . import actions

route = Routes()

app_name = "feedback"


def submit(visit, *, by):
    """Submit through the hand-over; the confirmation names the form and each
    item its problem rows became (R11), so the cadre knows what to follow."""
    handed = actions.submit_feedback(visit, by=by)
    said = _("反馈表已提交：%(enterprise)s，%(date)s 走访。") % {
        "enterprise": handed.visit.enterprise.name,
        "date": handed.visit.visit_date.isoformat(),
    }
    if not handed.items:
        return said + _("未填写问题。")
    named = "；".join(
        f"【{item.get_category_display()}】{item.description[:30]}（#{item.pk}）" for item in handed.items
    )
    return said + _("%(count)s 个问题已列入问题清单：%(items)s。可在“我的问题”中跟踪办理。") % {
        "count": len(handed.items),
        "items": named,
    }


@route.form("visits/new/<int:pairing_id>/", name="new")
def visit_new(request, pairing_id):
    pairing = visit_views.filable_pairing(request, pairing_id)
    return visit_views.visit_form(request, pairing, None, submit=submit)


@route.form("visits/<int:pk>/edit/", name="edit")
def visit_edit(request, pk):
    visit, instead = visit_views.editable_visit(request, pk)
    if instead is not None:
        return instead
    return visit_views.visit_form(request, visit.pairing, visit, submit=submit)


urlpatterns = route.urlpatterns()
