"""Writes to units, cadres and pairings. The admin, the imports and the demo
seeder all come through here (or through the same rule functions), so one rule
holds wherever data enters."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tabular.history import records_history_by

from .models import AreaAssignment, Pairing
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
    """Model rules plus cross-row rules, for a single pairing (admin, services)."""
    pairing.full_clean()
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
    pairing.ended_on = ended_on
    pairing.ended_reason = reason
    validate_pairing(pairing)
    pairing.save(update_fields=["ended_on", "ended_reason", "updated_at"])
    return pairing


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
