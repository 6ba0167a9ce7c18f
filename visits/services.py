"""Writes to visits. The cadre's form, the admin and any import call these,
so the R7 counting happens one way. What a submitted form hands over to the
layers above (issue-list items, a revenue figure) is done by the caller's
action above them: :mod:`tongxiang_liaison.actions`."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cadres import closing
from tabular.history import records_history_by

from .models import COUNTING_MODES, Visit, VisitCredit, VisitProblem


def credits_for(visit, companion_ids=()):
    """The cadres a visit counts for (R7), as unsaved rows: none unless it is
    submitted and on-site or a meeting; then the filer and each companion
    (``companion_ids``, read only when the visit counts)."""
    if visit.status != Visit.Status.SUBMITTED or visit.mode not in COUNTING_MODES:
        return []
    return [
        VisitCredit(
            visit=visit, cadre_id=cadre_id, enterprise_id=visit.enterprise_id, visit_date=visit.visit_date
        )
        for cadre_id in sorted({visit.cadre_id, *companion_ids})
    ]


def refresh_credits(visit):
    """Rewrite the cadres this visit counts for (R7): :func:`credits_for`."""
    VisitCredit.objects.filter(visit=visit).delete()
    VisitCredit.objects.bulk_create(credits_for(visit, visit.companions.values_list("pk", flat=True)))


def mark_submitted(visit):
    """What submitting changes on a form, in memory (:func:`submit_visit`
    saves it; the demo's bulk path writes many at once)."""
    _sources, visit.status = Visit.ACTIONS["submit"]
    visit.submitted_at = timezone.now()


@records_history_by()
@transaction.atomic
def save_visit(visit, *, companions, problems, by=None):
    """Save a draft (new or edited) with its companions and problem rows.

    ``problems``: ``(category, description)`` pairs, replacing the old rows
    (each row's history keeps both). ``by``: the user the history names."""
    stored = Visit.objects.filter(pk=visit.pk).values_list("status", flat=True).first() if visit.pk else None
    if stored is not None and not Visit.allowed(stored, "save"):
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


@records_history_by()
@transaction.atomic
def submit_visit(visit, *, by=None):
    """Submit a draft: from now on it is read-only to the cadre and counts
    for the quarter (R7). ``by`` is the submitting login. Submitting twice
    does nothing the second time."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if not visit.allows("submit"):
        return visit  # submitted already: submitting again does nothing
    if not visit.situation.strip():
        raise ValidationError({"situation": _("提交前请填写企业发展现状。")})
    visit.full_clean()
    mark_submitted(visit)
    visit.save(update_fields=["status", "submitted_at", "updated_at"])
    refresh_credits(visit)
    note_late(visit, by=by)
    return visit


@records_history_by()
def note_late(visit, *, by=None):
    """A form submitted for a closed quarter is a correction of it (issue 16,
    :func:`cadres.closing.note`); ``visit`` saved."""
    return closing.note(
        visit.visit_date,
        what=_("补交走访反馈表 #%(id)s（%(enterprise)s）") % {"id": visit.pk, "enterprise": visit.enterprise},
        old="—",
        new=_("%(day)s 走访") % {"day": visit.visit_date.isoformat()},
        by=by,
    )


@records_history_by()
def note_late_in_bulk(visits, *, by=None):
    """:func:`note_late` for many saved forms: one query when no closed
    quarter holds any of them (the demo closes its quarters afterwards)."""
    if visits and closing.closed_on_or_after(min(v.visit_date for v in visits), closing.PUBLISHED):
        for visit in visits:
            note_late(visit, by=by)


def _counted(visit):
    return sorted(
        {d.isoformat() for d in VisitCredit.objects.filter(visit=visit).values_list("visit_date", flat=True)}
    )


@records_history_by()
@transaction.atomic
def correct_visit(visit, *, by=None, reason=""):
    """After a staff correction (admin): keep the counting in step. A
    correction that moves what the form counts for a closed quarter (its
    date, its mode) is noted as a correction of the quarter (issue 16)."""
    before = _counted(visit)
    refresh_credits(visit)
    after = _counted(visit)
    if before != after:
        closing.note(
            min(datetime.date.fromisoformat(d) for d in before + after),
            what=_("走访反馈表 #%(id)s（%(enterprise)s）计入的走访日期")
            % {"id": visit.pk, "enterprise": visit.enterprise},
            old="、".join(before) or _("不计入"),
            new="、".join(after) or _("不计入"),
            by=by,
            why=reason,
        )
    return visit
