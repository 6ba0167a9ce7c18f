"""Layers: tabular | messaging < enterprises < cadres < visits < issues | multiplication <
coordination < dashboards < jobs < tongxiang_liaison. Nothing imports upward
(import-linter, pyproject.toml) and no model points upward, even by a string
foreign key, which imports cannot show."""

import subprocess
import sys
from pathlib import Path

from django.apps import apps

LAYER = {
    "messaging": 0,
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
