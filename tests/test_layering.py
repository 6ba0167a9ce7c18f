"""Layers: tabular < enterprises < cadres < visits < issues | multiplication <
coordination < dashboards < jobs < tongxiang_liaison. Nothing imports upward
(import-linter, pyproject.toml) and no model points upward, even by a string
foreign key, which imports cannot show; and cadres.permissions, the scope every
app's access rules build on, reads no field of the apps above it."""

import subprocess
import sys
from pathlib import Path

from django.apps import apps

LAYER = {
    "tabular": 0,
    "enterprises": 1,
    "cadres": 2,
    "visits": 3,
    "issues": 4,
    "multiplication": 4,
    "coordination": 5,
    "dashboards": 6,
    "jobs": 7,
}
ROOT = Path(__file__).resolve().parent.parent


def test_import_contract_is_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_no_relation_points_to_a_higher_or_sibling_app():
    offenders = []
    for model in apps.get_models():
        own = model._meta.app_label
        if own not in LAYER:
            continue
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and field.related_model):
                continue
            target = field.related_model._meta.app_label
            if target in LAYER and target != own and LAYER[target] >= LAYER[own]:
                offenders.append(f"{model.__name__}.{field.name} -> {target}")
    assert offenders == []


def test_cadres_permissions_reads_no_field_of_the_apps_above():
    """The scope and the cadres' rows only: a lookup string ("reporter__unit_id")
    or an attribute (``slip.leader_id``) naming a field that only a model of an
    upper app has would decide about that app's rows where import-linter cannot
    see it; each app's ``access.py`` owns those rules."""
    import ast

    def names(models):  # a field's name and column attribute (a reverse relation: its query name)
        fields = [field for model in models for field in model._meta.get_fields()]
        return {f.name for f in fields} | {f.attname for f in fields if hasattr(f, "attname")}

    upper = [m for m in apps.get_models() if LAYER.get(m._meta.app_label, 0) > LAYER["cadres"]]
    lower = [m for m in apps.get_models() if LAYER.get(m._meta.app_label, 0) <= LAYER["cadres"]]
    theirs = names(upper) - names(lower)
    tree = ast.parse((ROOT / "cadres" / "permissions.py").read_text(encoding="utf-8"))
    read, called = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):  # lookups: filter(reporter__unit_id=…), scoped(…, unit="…"), only("…")
            called.add(id(node.func))
            values = [*node.args, *(k.value for k in node.keywords)]
            read |= {
                p
                for v in values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
                for p in v.value.split("__")
            }
            read |= {p for k in node.keywords if k.arg for p in k.arg.split("__")}
    # Attributes read, not methods called: slip.leader_id, slip.department_id.
    read |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and id(n) not in called}
    assert len(theirs) > 50  # the upper apps' fields were found
    assert sorted(read & theirs) == []
