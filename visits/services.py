"""Writes to visits. The cadre's form, the admin and any import call these,
so the R7 counting and the hand-over to the issue list happen one way."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from tabular.history import records_history_by

from .models import COUNTING_MODES, Visit, VisitCredit, VisitProblem
from .signals import visit_submitted


def refresh_credits(visit):
    """Rewrite the cadres this visit counts for (R7): none unless it is
    submitted and on-site or a meeting; then the filer and each companion."""
    VisitCredit.objects.filter(visit=visit).delete()
    if visit.status != Visit.Status.SUBMITTED or visit.mode not in COUNTING_MODES:
        return
    cadre_ids = {visit.cadre_id, *visit.companions.values_list("pk", flat=True)}
    VisitCredit.objects.bulk_create(
        VisitCredit(
            visit=visit, cadre_id=cadre_id, enterprise_id=visit.enterprise_id, visit_date=visit.visit_date
        )
        for cadre_id in sorted(cadre_ids)
    )


@transaction.atomic
def save_visit(visit, *, companions, problems, by=None):
    """Save a draft (new or edited) with its companions and problem rows.

    ``problems``: ``(category, description)`` pairs, replacing the old rows
    (each row's history keeps both). ``by``: the user the history names."""
    if visit.pk and Visit.objects.filter(pk=visit.pk, status=Visit.Status.SUBMITTED).exists():
        raise ValidationError(_("反馈表已提交，不能再修改。"))
    visit.enterprise_id = visit.pairing.enterprise_id
    visit.cadre_id = visit.pairing.cadre_id
    visit.full_clean()
    visit.save()
    visit.companions.set([c for c in companions if c.pk != visit.cadre_id])
    visit.problems.all().delete()
    bulk_create_with_history(  # the new rows' history, as the deleted rows' (issue 14.4)
        [
            VisitProblem(visit=visit, category=category, description=description)
            for category, description in problems
        ],
        VisitProblem,
    )
    return visit


@transaction.atomic
def submit_visit(visit, *, by=None):
    """Submit a draft: from now on it is read-only to the cadre, counts for
    the quarter (R7) and its problems join the issue list (R11), with
    ``by`` (the submitting login) named on each item's timeline."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.status == Visit.Status.SUBMITTED:
        return visit
    if not visit.situation.strip():
        raise ValidationError({"situation": _("提交前请填写企业发展现状。")})
    visit.full_clean()
    visit.status = Visit.Status.SUBMITTED
    visit.submitted_at = timezone.now()
    visit.save(update_fields=["status", "submitted_at", "updated_at"])
    refresh_credits(visit)
    visit_submitted.send(sender=Visit, visit=visit, by=by)
    return visit


@transaction.atomic
def correct_visit(visit, *, by=None):
    """After a staff correction (admin): keep the counting in step."""
    refresh_credits(visit)
    if visit.status == Visit.Status.SUBMITTED:
        visit_submitted.send(sender=Visit, visit=visit, by=by)


# -- The change history names who acted (issue 14, step 4) --------------------
# Each service here that takes ``by`` runs with it as the history's user
# (tabular.history), so the rows it writes name that user inside a request or
# outside one (a job, an import, a command, the demo).
for _service in (save_visit, submit_visit, correct_visit):
    globals()[_service.__name__] = records_history_by()(_service)
