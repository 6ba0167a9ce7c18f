"""Spot checks (抽查, R15): the supervising office checks contacts' work
without notice, by an on-site visit or a phone follow-up with the enterprise,
and circulates the results (通报).

The sample is drawn from the pairings due a visit in the quarter, stratified
by unit: each unit gets its share of the sample in proportion to its pairings
(largest remainders), drawn with a generator seeded by the batch's seed and
the unit, so the same quarter, size and seed always give the same sample.
Every item withdrawn in the quarter joins the sample too: a withdrawal may
hide an unsolved problem.
"""

import datetime
import random
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Pairing
from visits.quarters import Quarter

from .models import IssueEvent, IssueItem, SpotCheck, SpotCheckBatch


def allocate(sizes: dict, total: int) -> dict:
    """Split ``total`` over strata in proportion to ``sizes`` (largest
    remainder; a stratum never gets more than it has)."""
    population = sum(sizes.values())
    total = min(total, population)
    if total <= 0:
        return dict.fromkeys(sizes, 0)
    exact = {key: total * size / population for key, size in sizes.items()}
    shares = {key: int(value) for key, value in exact.items()}
    by_remainder = sorted(sizes, key=lambda key: (-(exact[key] - shares[key]), str(key)))
    for key in by_remainder[: total - sum(shares.values())]:
        shares[key] += 1
    return shares


def sample_pairings(quarter: Quarter, size: int, seed: int):
    """``(cadre_id, enterprise_id)`` of the pairings sampled from the quarter's
    due pairings, stratified by unit; the same for the same quarter, size, seed."""
    rows = (
        Pairing.objects.filter(quarter.due_q())
        .order_by("cadre__unit_id", "pk")
        .values_list("pk", "cadre__unit_id", "cadre_id", "enterprise_id")
    )
    strata = defaultdict(list)
    for pk, unit_id, cadre_id, enterprise_id in rows:
        strata[unit_id].append((pk, cadre_id, enterprise_id))
    shares = allocate({unit: len(members) for unit, members in strata.items()}, size)
    chosen = []
    for unit in sorted(strata):
        rng = random.Random(f"{seed}:{quarter.label}:{unit}")
        chosen.extend(rng.sample(strata[unit], shares[unit]))
    return [(cadre_id, enterprise_id) for _pk, cadre_id, enterprise_id in chosen]


def withdrawn_in(quarter: Quarter):
    """Items withdrawn during the quarter (by the date of the withdrawal)."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(quarter.first_day, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(quarter.next().first_day, datetime.time.min, tzinfo=tz)
    ids = IssueEvent.objects.filter(to_status=IssueItem.Status.WITHDRAWN, at__gte=start, at__lt=end).values(
        "item_id"
    )
    return IssueItem.objects.filter(pk__in=ids, reporter__isnull=False).order_by("pk")


@transaction.atomic
def create_batch(*, quarter: Quarter, size: int, seed: int, title: str, by):
    if size < 1:
        raise ValidationError({"sample_size": _("抽查数量至少为 1。")})
    batch = SpotCheckBatch.objects.create(
        title=title or _("%(q)s 联系人联企情况抽查") % {"q": quarter.label},
        quarter=quarter.label,
        sample_size=size,
        seed=seed,
        created_by=by,
    )
    checks, seen = [], set()
    for item in withdrawn_in(quarter):
        key = (item.reporter_id, item.enterprise_id)
        if key not in seen:
            seen.add(key)
            checks.append(
                SpotCheck(
                    batch=batch,
                    reason=SpotCheck.Reason.WITHDRAWN,
                    cadre_id=item.reporter_id,
                    enterprise_id=item.enterprise_id,
                    item=item,
                )
            )
    for cadre_id, enterprise_id in sample_pairings(quarter, size, seed):
        if (cadre_id, enterprise_id) not in seen:
            seen.add((cadre_id, enterprise_id))
            checks.append(SpotCheck(batch=batch, cadre_id=cadre_id, enterprise_id=enterprise_id))
    SpotCheck.objects.bulk_create(checks)
    return batch


@transaction.atomic
def record_check(
    check, *, by, method, checked_on, visit_confirmed, satisfaction, finding="", problem_solved_confirmed=None
):
    if method not in SpotCheck.Method.values:
        raise ValidationError({"method": _("请选择抽查方式。")})
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": _("抽查日期不能是将来的日期。")})
    check.method, check.checked_on, check.checked_by = method, checked_on, by
    check.visit_confirmed, check.problem_solved_confirmed = visit_confirmed, problem_solved_confirmed
    check.satisfaction, check.finding = satisfaction, finding.strip()
    check.save()
    return check
