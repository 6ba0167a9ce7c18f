"""Every date input of the app's forms re-renders a date as ISO
(``2026-12-02``), which is all an ``<input type="date">`` reads: under
zh-hans Django's plain DateInput wrote ``2026/12/02`` and the browser showed
the field blank."""

import datetime
import importlib

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from tabular.inputs import DateInput

DAY = datetime.date(2026, 12, 2)
ISO = 'value="2026-12-02"'


def _all_form_classes():
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)):
            continue
        for module in ("forms", "views", "spot_views"):
            try:
                importlib.import_module(f"{config.name}.{module}")
            except ModuleNotFoundError:
                continue
    seen, stack = set(), [forms.BaseForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    ours = ("cadres.", "coordination.", "enterprises.", "issues.", "jobs.", "multiplication.", "visits.")
    found = [cls for cls in seen if cls.__module__.startswith(ours) and not cls.__module__.endswith(".admin")]
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))  # one order in every process


def _date_fields():
    found = []
    for cls in _all_form_classes():
        for name, field in getattr(cls, "base_fields", {}).items():
            widget = field.widget
            # An admin-only form's text date input is the admin's own calendar widget there.
            if isinstance(field, forms.DateField) and "date" in (widget.input_type, widget.attrs.get("type")):
                found.append((f"{cls.__module__}.{cls.__name__}.{name}", field))
    return found


def test_the_forms_date_fields_are_found():
    names = {name.rsplit(".", 1)[-1] for name, _ in _date_fields()}
    assert {"visit_date", "held_on", "checked_on", "effective_on"} <= names


@pytest.mark.parametrize("name,field", _date_fields(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_form_date_input_renders_iso_in_chinese(name, field):
    assert isinstance(field.widget, DateInput), f"{name} uses {type(field.widget).__name__}"
    with translation.override("zh-hans"):
        html = field.widget.render("d", DAY)
        assert 'type="date"' in html and ISO in html, html
        # and what it renders comes back as the same day
        assert field.clean("2026-12-02") == DAY


@pytest.mark.django_db
def test_the_spot_check_form_re_renders_its_date(client, staff_user):
    from issues.spot_views import CheckForm

    with translation.override("zh-hans"):
        bound = CheckForm({"method": "phone", "checked_on": "2026-12-02", "visit_confirmed": "true"})
        assert ISO in str(bound["checked_on"])
        initial = CheckForm(initial={"checked_on": DAY})
        assert ISO in str(initial["checked_on"])


@pytest.mark.django_db
def test_the_meeting_forms_re_render_their_date(client, staff_user):
    from cadres.models import CoordinatorRegion
    from coordination.models import Meeting
    from tests.factories import CityLeaderFactory, PlaceFactory

    leader = CityLeaderFactory(is_coordinator=True)
    CoordinatorRegion.objects.create(cadre=leader, place=PlaceFactory())
    meeting = Meeting.objects.create(coordinator=leader, held_on=DAY, quarter="2026Q4", topics="x")
    client.force_login(staff_user)
    page = client.get(reverse("coordination:meeting_edit", args=[meeting.pk])).content.decode()
    assert ISO in page
    page = client.get(reverse("coordination:meeting_new") + f"?coordinator={leader.pk}").content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in page
