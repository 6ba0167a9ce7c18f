"""Every concrete model of our apps has a factory in tests/factories.py, and
each factory makes a row that passes the model's own validation
(``full_clean``): test data the product itself could have written."""

import inspect
from pathlib import Path

import factory
import pytest
from django.apps import apps
from django.conf import settings

from tests import factories

pytestmark = pytest.mark.django_db


def our_apps():
    """The installed apps whose code lives in this repository."""
    root = Path(settings.BASE_DIR).resolve()
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(root) and ".venv" not in Path(config.path).parts
    ]


def our_models():
    """Concrete models of our apps, leaving out the change-history tables
    simple-history writes itself (``Historical…``) and implicit M2M tables."""
    return sorted(
        (
            model
            for config in our_apps()
            for model in config.get_models()
            if not model._meta.auto_created and not hasattr(model, "instance_type")
        ),
        key=lambda model: model._meta.label,
    )


def factories_by_model():
    found = {}
    for _name, value in inspect.getmembers(factories, inspect.isclass):
        if issubclass(value, factory.django.DjangoModelFactory) and value._meta.model is not None:
            found.setdefault(value._meta.model, value)
    return found


def test_every_model_of_our_apps_has_a_factory():
    missing = [model._meta.label for model in our_models() if model not in factories_by_model()]
    assert not missing, f"no factory in tests/factories.py for {missing}"
    labels = {model._meta.label for model in our_models()}
    assert {"visits.Visit", "issues.IssueItem", "issues.ReferralSlip", "jobs.Notice"} <= labels
    assert not any(label.split(".")[1].startswith("Historical") for label in labels)


@pytest.mark.parametrize("model", our_models(), ids=lambda model: model._meta.label)
def test_each_factory_makes_a_row_that_passes_full_clean(model):
    row = factories_by_model()[model]()
    assert isinstance(row, model) and row.pk is not None
    row.full_clean()
    assert model.objects.filter(pk=row.pk).exists()
