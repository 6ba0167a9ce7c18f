"""Writes to units, cadres and pairings. The admin, the imports and the demo
seeder all come through here (or through the same rule functions), so one rule
holds wherever data enters."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tabular.history import records_history_by

from . import closing
from .models import AreaAssignment, Cadre, Pairing, UnitMembership
from .term import term_end


def overlap_message(other_start, other_last):
    return _("该干部与该企业在 %(start)s 至 %(end)s 已有结对，期间不能重叠。") % {
        "start": other_start.isoformat(),
        "end": other_last.isoformat(),
    }


def pairing_conflicts(pairing, *, others, area_place_ids):
    """Rules that need other rows, as ``{field: message}``.

    ``others``: ``(start, last_day)`` of the same cadre's *other* pairings with
    the same enterprise; ``area_place_ids``: the places the cadre area-links (R1).
    Pure, so the admin form (one query) and the import (bulk-loaded) share it.
    """
    errors = {}
    last = pairing.last_day or term_end(pairing.start_date)
    for start, other_last in others:
        if start <= last and pairing.start_date <= other_last:
            errors["start_date"] = overlap_message(start, other_last)
            break
    if pairing.kind == Pairing.Kind.AREA and pairing.enterprise.place_id not in area_place_ids:
        errors["enterprise"] = _("包片联系的企业必须位于该领导包片的镇（街道）。")
    return errors


def validate_pairing(pairing):
    """Model rules plus cross-row rules, for a single pairing (admin, services);
    an early end newly dated into a closed quarter is refused (issue 16)."""
    pairing.full_clean()
    stored = Pairing.objects.filter(pk=pairing.pk).values_list("ended_on", flat=True).first()
    if pairing.pk and pairing.ended_on != stored:
        closing.refuse_early_end(min(d for d in (pairing.ended_on, stored) if d))
    others = (
        Pairing.objects.filter(cadre_id=pairing.cadre_id, enterprise_id=pairing.enterprise_id)
        .exclude(pk=pairing.pk)
        .values_list("start_date", "end_date", "ended_on")
    )
    area = set()
    if pairing.kind == Pairing.Kind.AREA:
        area = set(
            AreaAssignment.objects.filter(cadre_id=pairing.cadre_id).values_list("place_id", flat=True)
        )
    errors = pairing_conflicts(
        pairing,
        others=[(start, ended or end) for start, end, ended in others],
        area_place_ids=area,
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@records_history_by()
def create_pairing(*, cadre, enterprise, kind, start_date, end_date=None, by=None):
    pairing = Pairing(
        cadre=cadre,
        enterprise=enterprise,
        kind=kind,
        start_date=start_date,
        end_date=end_date or term_end(start_date),
    )
    validate_pairing(pairing)
    pairing.save()
    return pairing


@transaction.atomic
@records_history_by()
def end_pairing(pairing, *, ended_on: datetime.date, reason: str, by=None):
    """End ``pairing`` early on ``ended_on``: refused when dated into a closed
    quarter; in a quarter reopened for correction, a pending correction."""
    stored = Pairing.objects.filter(pk=pairing.pk).values_list("ended_on", flat=True).first()
    pairing.ended_on = ended_on
    pairing.ended_reason = reason
    validate_pairing(pairing)
    pairing.save(update_fields=["ended_on", "ended_reason", "updated_at"])
    note_early_end(pairing, stored, by=by)
    return pairing


@records_history_by()
def note_early_end(pairing, before, *, by=None):
    """An early end written after the quarters it reaches closed (or were
    reopened for correction) is noted as a correction of each."""
    if pairing.ended_on == before:
        return
    closing.note(
        min(d for d in (pairing.ended_on, before) if d),
        what=_("结对“%(pairing)s”的提前结束日期") % {"pairing": pairing},
        old=before.isoformat() if before else "—",
        new=pairing.ended_on.isoformat() if pairing.ended_on else "—",
        by=by,
        why=pairing.ended_reason,
    )


@transaction.atomic
@records_history_by()
def renew_pairing(pairing, *, by=None):
    """A new 3-year term beginning the day after this one's last day (R5).

    ``by``, here and above: the user named in the change history."""
    return create_pairing(
        cadre=pairing.cadre,
        enterprise=pairing.enterprise,
        kind=pairing.kind,
        start_date=pairing.last_day + datetime.timedelta(days=1),
        by=by,
    )


def check_move(cadre, on: datetime.date):
    """Refuse a move dated in the future or not after the cadre's last move
    (the admin's form asks this before saving); returns the open membership
    (unsaved when the cadre has none yet)."""
    if on > timezone.localdate():
        raise ValidationError({"moved_on": _("调动生效日期不能晚于今天。")})
    current = UnitMembership.objects.filter(cadre_id=cadre.pk, valid_to__isnull=True).first()
    if current is not None and current.valid_from is not None and on <= current.valid_from:
        raise ValidationError(
            {
                "moved_on": _("调动生效日期须晚于上次调入本单位的日期（%(day)s）。")
                % {"day": current.valid_from.isoformat()}
            }
        )
    return current or UnitMembership(cadre_id=cadre.pk, unit_id=cadre.unit_id)


@transaction.atomic
@records_history_by()
def move_cadre(cadre, *, unit, on: datetime.date | None = None, reason: str = "", by=None):
    """The cadre belongs to ``unit`` from ``on`` (today by default; an
    earlier day records a move that took effect then): the dated membership
    (:class:`cadres.models.UnitMembership`) every figure is counted by, and
    the current unit. The figures counted before ``on`` stay with the old
    unit (issue 16). The one way a cadre's unit changes."""
    on = on or timezone.localdate()
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    if unit.pk == cadre.unit_id:
        return cadre
    current = check_move(cadre, on)
    closing.note(
        on,
        what=_("干部“%(cadre)s”的所在单位") % {"cadre": cadre.name},
        old=str(cadre.unit),
        new=_("%(unit)s（自 %(day)s 起）") % {"unit": unit, "day": on.isoformat()},
        by=by,
        why=reason,
    )
    current.valid_to = on - datetime.timedelta(days=1)
    current.recorded_by = current.recorded_by if current.pk else by
    current.save()
    UnitMembership.objects.create(
        cadre=cadre, unit=unit, valid_from=on, reason=reason.strip()[:200], recorded_by=by
    )
    cadre.unit = unit
    cadre.save(update_fields=["unit", "updated_at"])
    return cadre
