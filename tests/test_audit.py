"""Audit: who changed what and when on pairings, feedback forms, issue items
and slips, kept by django-simple-history and shown in the admin."""

import datetime

import pytest
from django.urls import reverse

from cadres.models import Pairing
from issues import services
from issues.models import IssueItem, ReferralSlip
from tests.factories import CadreFactory, EnterpriseFactory, PairingFactory, UnitFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_each_change_records_who_and_when_and_the_admin_shows_it(client, staff_user):
    department = UnitFactory(name="市金融办")
    officer = user_with_role("unit_officer", cadre=CadreFactory(unit=department), username="officer")
    item = IssueItem.objects.create(
        enterprise=EnterpriseFactory(),
        reporter=CadreFactory(),
        category="funding",
        description="续贷困难",
        status=IssueItem.Status.OFFICE,
    )
    slip = services.refer(item, department=department, by=staff_user)

    client.force_login(officer)
    client.post(reverse("issues:slip_answer", args=[slip.pk]), {"measures": "约谈银行", "result": "已续贷"})
    slip.refresh_from_db()
    assert slip.status == ReferralSlip.Status.ANSWERED
    latest = slip.history.latest()
    assert (latest.history_user, latest.status, latest.history_type) == (officer, "answered", "~")

    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    client.post(reverse("issues:slip_accept", args=[slip.pk]))
    assert item.history.latest().history_user == staff_user
    assert [h.status for h in item.history.order_by("history_date")][-2:] == ["referred", "resolved"]

    pairing = PairingFactory(start_date=datetime.date(2026, 3, 27))
    response = client.post(
        reverse("admin:cadres_pairing_change", args=[pairing.pk]),
        {
            "cadre": pairing.cadre_id,
            "enterprise": pairing.enterprise_id,
            "kind": pairing.kind,
            "start_date": "2026-03-27",
            "end_date": "2029-03-26",
            "ended_on": "2026-11-20",
            "ended_reason": "企业注销",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    change = Pairing.history.filter(id=pairing.pk).latest()
    assert (change.history_user, change.ended_on) == (staff_user, datetime.date(2026, 11, 20))

    for name, pk in (
        ("admin:cadres_pairing_history", pairing.pk),
        ("admin:issues_issueitem_history", item.pk),
        ("admin:issues_referralslip_history", slip.pk),
    ):
        page = client.get(reverse(name, args=[pk]))
        assert page.status_code == 200 and staff_user.username in page.content.decode()
    # What changed, by the field's label, in the site's language.
    page = client.get(reverse("admin:cadres_pairing_history", args=[pairing.pk])).content.decode()
    assert "<strong>提前结束日期:</strong>" in page and "改动" in page and "None" not in page


def test_an_old_version_is_shown_as_text_and_cannot_be_restored(client, staff_user):
    """The history is an audit trail: a version is read, never saved over the
    row (a "revert" would bypass the services' rules)."""
    staff_user.is_staff = True
    staff_user.save()
    pairing = PairingFactory(start_date=datetime.date(2026, 3, 27))
    version = pairing.history.get()
    pairing.ended_on, pairing.ended_reason = datetime.date(2026, 11, 20), "企业注销"
    pairing.save()
    client.force_login(staff_user)
    url = reverse("admin:cadres_pairing_simple_history", args=[pairing.pk, version.history_id])
    page = client.get(url).content.decode()
    assert pairing.enterprise.name in page and "2026-03-27" not in page  # dates shown as text
    assert 'name="start_date"' not in page and 'name="_save"' not in page
    assert "单位、干部与结对</a>" in page and "Historical" not in page
    assert client.post(url, {"ended_on": ""}).status_code == 403
    pairing.refresh_from_db()
    assert pairing.ended_on == datetime.date(2026, 11, 20)
