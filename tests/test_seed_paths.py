"""seed_demo's two paths build one world: the same seed built through the
services, one row at a time, and in bulk (``--path bulk``, what the
benchmarks' city of 100,000 enterprises takes) leave the same rows in every
table of our apps, history and many-to-many tables included, and the same
users.

Rows are compared with their primary keys and times (every date-time
field: the write times, ``history_date``, ``submitted_at``) left out, and
password hashes (salted) and how long a dashboard count took too. A foreign key is compared as the rank of the
row it points to in its table (the 3rd slip, the 40th item), so a key that
points elsewhere, or rows written in another order, fail; a history row
also by its place in its object's history (the 2nd row of the 3rd item).
"""

import io
from collections import Counter, defaultdict

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction

from cadres.models import Pairing
from issues.models import Confirmation, EscalationSlip, IssueEvent, IssueItem, ReferralSlip, SerialCounter
from multiplication.models import Membership
from visits.models import Visit, VisitCredit

from .project import PACKAGES

pytestmark = pytest.mark.django_db

OUR_APPS = set(PACKAGES)  # tabular and tongxiang_liaison have no tables
LEFT_OUT = {"password", "seconds"}  # a salted hash; FigureBuild.seconds, how long a count took


def world_tables():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in OUR_APPS
        or model._meta.label in ("auth.User", "auth.User_groups", "auth.Group")
    ]


def is_history(model):
    return hasattr(model, "instance_type")  # simple_history's historical models


def snapshot():
    """``{table: sorted normalised rows}`` of the world now."""
    tables = world_tables()
    ranks = {}

    def rank(model, pk):
        if model not in ranks:
            pks = model._default_manager.order_by("pk").values_list("pk", flat=True)
            ranks[model] = {pk: n for n, pk in enumerate(pks)}
        return ranks[model][pk]

    world = {}
    for model in tables:
        fields = [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key and not isinstance(f, models.DateTimeField) and f.name not in LEFT_OUT
        ]
        history = is_history(model)
        seen = defaultdict(int)  # object → rows of its history so far
        rows = []
        order = "history_id" if history else "pk"
        for obj in model._default_manager.order_by(order):
            row = []
            for f in fields:
                value = getattr(obj, f.attname)
                if f.is_relation and value is not None:
                    value = ("→", rank(f.related_model, value))
                elif history and f.name == model.instance_type._meta.pk.name:
                    value = ("object", rank(model.instance_type, value))
                    row.append(("n", seen[value]))
                    seen[value] += 1
                row.append((f.name, value))
            rows.append(tuple(row))
        world[model._meta.label] = sorted(rows, key=repr)
    return world


def build(path, **size):
    """The world ``seed_demo`` builds by ``path``, then rolled back."""
    out = io.StringIO()
    with transaction.atomic():
        call_command("seed_demo", path=path, stdout=out, **size)
        world = snapshot()
        transaction.set_rollback(True)
    return world, out.getvalue()


def test_the_bulk_path_builds_the_services_world():
    size = {"enterprises": 40, "cadres": 30, "seed": 5}
    served, served_out = build("services", **size)
    bulk, bulk_out = build("bulk", **size)
    assert "逐条经业务服务" in served_out and "批量写入" in bulk_out
    # The world is not empty where the two paths differ in how they write.
    for model in (
        Pairing,
        Visit,
        VisitCredit,
        IssueItem,
        IssueEvent,
        ReferralSlip,
        EscalationSlip,
        Confirmation,  # every resolution asks the enterprise (issue 17.5)
        Membership,
    ):
        assert served[model._meta.label], model
        if hasattr(model, "history"):
            assert served[model.history.model._meta.label], model
    assert served[SerialCounter._meta.label]
    kinds = Counter(dict(row)["kind"] for row in served[IssueEvent._meta.label])
    assert {"created", "moved", "answered"} <= set(kinds)
    differing = [label for label in served if served[label] != bulk[label]]
    assert differing == [], "\n".join(
        f"{label}: {n} rows / {m}: {diff}"
        for label, (n, m, diff) in {
            label: (len(served[label]), len(bulk[label]), _first_difference(served[label], bulk[label]))
            for label in differing
        }.items()
    )


def _first_difference(a, b):
    """The first differing rows, as the fields where they differ."""
    for x, y in zip(a, b, strict=False):
        if x != y:
            return [(p, q) for p, q in zip(x, y, strict=False) if p != q]
    return None


def test_auto_takes_the_services_for_a_small_world_and_bulk_above():
    _world, small = build("auto", enterprises=30, cadres=20, visits=20, issues=5)
    assert "逐条经业务服务" in small
    _world, larger = build("auto", enterprises=60, cadres=20, visits=20, issues=5)
    assert "批量写入" in larger
