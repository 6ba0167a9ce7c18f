"""Spot checks (抽查, R15): the supervising office checks contacts' work
without notice, by an on-site visit or a phone follow-up with the enterprise,
and circulates the results (通报).

The sample is drawn from the pairings due a visit in the quarter, stratified
by unit: each unit gets its share of the sample in proportion to its pairings
(largest remainders), drawn with a generator seeded by the batch's seed and
the unit, so the same quarter, size and seed always give the same sample.
Every withdrawn item joins the sample too, once: a withdrawal may hide an
unsolved problem. A batch takes every item withdrawn up to the moment it is
drawn that no earlier batch has re-checked — those withdrawn in its quarter,
and those withdrawn after an earlier batch was drawn (a quarter's sample may be
drawn before the quarter ends, or another quarter's batch may come next), so
no withdrawal escapes and none is re-checked twice. A batch can be drawn only
for a quarter that has begun.
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


def withdrawn_to_recheck():
    """Items withdrawn up to now (any quarter) that no batch has re-checked:
    what the next batch drawn must take (R15)."""
    ids = IssueEvent.objects.filter(to_status=IssueItem.Status.WITHDRAWN, at__lte=timezone.now()).values(
        "item_id"
    )
    rechecked = SpotCheck.objects.filter(reason=SpotCheck.Reason.WITHDRAWN, item__isnull=False)
    return (
        IssueItem.objects.filter(pk__in=ids, reporter__isnull=False)
        .exclude(pk__in=rechecked.values("item_id"))
        .order_by("pk")
    )


def quarter_not_begun(quarter: Quarter, today: datetime.date | None = None) -> str:
    """The message refusing a batch for a quarter that has not begun, or ""."""
    today = today or timezone.localdate()
    if quarter.first_day <= today:
        return ""
    return _("%(q)s 尚未开始（%(day)s 起），不能抽取该季度的样本；请选择已开始的季度。") % {
        "q": quarter.label,
        "day": quarter.first_day.isoformat(),
    }


@transaction.atomic
def create_batch(*, quarter: Quarter, size: int, seed: int, title: str, by):
    if size < 1:
        raise ValidationError({"sample_size": _("抽查数量至少为 1。")})
    if message := quarter_not_begun(quarter):
        raise ValidationError({"quarter": message})
    # Lock the withdrawn items first, then ask afresh which are re-checked:
    # a batch drawn at the same moment waits here and then sees this one's
    # checks, so no item lands in two batches.
    candidates = list(withdrawn_to_recheck().values_list("pk", flat=True))
    list(IssueItem.objects.select_for_update().filter(pk__in=candidates).values_list("pk", flat=True))
    batch = SpotCheckBatch.objects.create(
        title=title or _("%(q)s 联系人联企情况抽查") % {"q": quarter.label},
        quarter=quarter.label,
        sample_size=size,
        seed=seed,
        created_by=by,
    )
    checks, seen = [], set()
    for item in withdrawn_to_recheck():
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
