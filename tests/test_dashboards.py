"""The leaders' quarterly dashboard (R16, R17, R2, R19): figures equal to
values computed here by hand and to the quarterly report's, filtered to a
leader's 包片 towns (R1) or a coordinator's region (R2), read-only for
leaders, and a bounded number of queries whatever the size."""

import datetime

import pytest
from django.urls import reverse

from cadres.models import AreaAssignment, CoordinatorRegion
from dashboards import figures
from dashboards.models import FigureBuild, FigureCell
from issues import services as issue_services
from issues.models import ReferralSlip
from jobs import report
from tests import factories as f
from visits.quarters import Quarter

pytestmark = pytest.mark.django_db
D = datetime.date
Q3 = Quarter(2026, 3)


JULY_10 = D(2026, 7, 10)


def item(pairing, category, status="new", resolved=None, reported=JULY_10):
    """An item of ``pairing``'s enterprise, reported by its cadre (the office walks it to ``status``)."""
    return f.IssueItemFactory(
        enterprise=pairing.enterprise,
        reporter=pairing.cadre,
        category=category,
        status=status,
        resolved_on=resolved,
        reported_on=reported,
    )


@pytest.fixture
def city(staff_user):
    """Two towns, two units. Hand count for 2026Q3:

    - 市经信局 (濮院镇): 3 pairings due, 2 visited; items 5 raised (the
      withdrawn one left out), 2 resolved; slips to it: 2 counted, 1 on time.
    - 乌镇镇人民政府 (乌镇镇): 1 pairing due, 0 visited; 1 item raised, 0 resolved.
    City: 4 due, 2 visited (50%); 6 raised, 2 resolved (1/3); on time 1/2.
    """
    puyuan, wuzhen = f.PlaceFactory(name="濮院镇"), f.PlaceFactory(name="乌镇镇")
    econ = f.UnitFactory(name="市经信局")
    town = f.UnitFactory(name="乌镇镇人民政府", kind="town", place=wuzhen)
    a, b = f.CadreFactory(unit=econ, name="甲"), f.CadreFactory(unit=econ, name="乙")
    c = f.CadreFactory(unit=town, name="丙")
    start = D(2026, 3, 27)
    p1 = f.PairingFactory(cadre=a, enterprise=f.EnterpriseFactory(place=puyuan), start_date=start)
    p2 = f.PairingFactory(cadre=a, enterprise=f.EnterpriseFactory(place=puyuan), start_date=start)
    p3 = f.PairingFactory(cadre=b, enterprise=f.EnterpriseFactory(place=puyuan), start_date=start)
    p4 = f.PairingFactory(cadre=c, enterprise=f.EnterpriseFactory(place=wuzhen), start_date=start)
    f.submitted_visit(p1, D(2026, 8, 3))
    f.submitted_visit(p3, D(2026, 9, 20))
    f.submitted_visit(p4, D(2026, 6, 10))  # the quarter before: counts for Q2, not Q3
    item(p1, "labour")
    item(p1, "funding", "resolved", D(2026, 8, 1))
    item(p3, "funding", "resolved", D(2026, 9, 1))
    item(p3, "labour", "withdrawn", D(2026, 8, 15))  # withdrawn within Q3: left out (issue 16)
    item(p4, "environment")
    on_time = item(p2, "market", "office")
    late = item(p2, "market", "office")
    for slip_item, accepted in ((on_time, D(2026, 7, 20)), (late, D(2026, 9, 30))):
        slip = issue_services.refer(slip_item, department=econ, by=staff_user, on=D(2026, 7, 1))
        ReferralSlip.objects.filter(pk=slip.pk).update(
            deadline=D(2026, 7, 31), accepted_on=accepted, status="accepted"
        )
    return {"econ": econ, "town": town, "puyuan": puyuan, "wuzhen": wuzhen, "a": a, "p1": p1}


def test_city_figures_equal_hand_counts_and_the_report(city):
    figures.build(Q3)
    now = figures.totals_by_quarter([Q3])[Q3.label]
    assert (now.due, now.visited, now.coverage) == (4, 2, 0.5)
    assert (now.raised, now.resolved, now.rate) == (6, 2, 1 / 3)
    assert (now.slips_counted, now.slips_on_time, now.on_time_rate) == (2, 1, 0.5)

    sheet = report.build_workbook(Q3)["按单位汇总"]
    reported = {r[0]: r[1:] for r in sheet.iter_rows(min_row=3, values_only=True)}
    for _pk, name, t in figures.by_unit(Q3):
        row = reported[name]
        assert (t.due, t.visited, "—" if t.coverage is None else t.coverage) == tuple(row[:3])
        assert (t.raised, t.carried, t.resolved, t.rate if t.rate is not None else "—") == tuple(row[3:7])
    econ = {name: t for _pk, name, t in figures.by_unit(Q3)}["市经信局"]
    assert (econ.due, econ.visited, econ.raised, econ.resolved, econ.on_time_rate) == (3, 2, 5, 2, 0.5)

    categories = figures.by_category(Q3)
    assert (categories["funding"].raised, categories["funding"].resolved) == (2, 2)
    assert categories["labour"].raised == 1  # the withdrawn one is left out
    cadres = {name: t for _pk, name, t in figures.by_cadre(Q3, unit=city["econ"].pk)}
    assert (cadres["甲"].due, cadres["甲"].visited, cadres["甲"].raised) == (2, 1, 4)


def test_the_dashboard_page_shows_the_counted_figures(client, city):
    figures.build(Q3)
    client.force_login(f.user_with_role("leader"))
    page = client.get(reverse("dashboards:dashboard"), {"quarter": "2026Q3"}).content.decode()
    assert "2026Q3 全市联企服务看板" in page
    assert "已走访 2 / 应走访 4" in page and "当年提出 6，已解决 2" in page
    assert "50.0%" in page and "市经信局" in page


def test_area_and_region_filter_to_their_towns(client, city):
    figures.build(Q3)
    leader = f.CityLeaderFactory(name="包片领导")
    AreaAssignment.objects.create(cadre=leader, place=city["wuzhen"])
    coordinator = f.CityLeaderFactory(name="总协调人", is_coordinator=True)
    CoordinatorRegion.objects.create(cadre=coordinator, place=city["puyuan"])

    area = figures.totals_by_quarter([Q3], places=[city["wuzhen"].pk])[Q3.label]
    assert (area.due, area.visited, area.raised) == (1, 0, 1)
    client.force_login(f.user_with_role("leader", cadre=leader))
    page = client.get(
        reverse("dashboards:dashboard"), {"quarter": "2026Q3", "area": leader.pk}
    ).content.decode()
    assert "包片领导包片镇街看板" in page and "已走访 0 / 应走访 1" in page
    assert "市经信局" not in page  # its pairings are all in 濮院镇
    assert "我的包片" in client.get(reverse("dashboards:dashboard")).content.decode()

    page = client.get(
        reverse("dashboards:dashboard"), {"quarter": "2026Q3", "region": coordinator.pk}
    ).content.decode()
    assert "总协调人协调区域看板" in page and "已走访 2 / 应走访 3" in page
    page = client.get(
        reverse("dashboards:unit", args=[city["econ"].pk]), {"quarter": "2026Q3", "area": leader.pk}
    )
    assert "已走访 0 / 应走访 0" in page.content.decode()


def test_leaders_read_only(client, city):
    leader = f.user_with_role("leader")
    client.force_login(leader)
    page = client.get(reverse("dashboards:dashboard")).content.decode()
    assert "立即重新统计" not in page and 'method="post"' not in page.split("<main")[1]
    assert client.post(reverse("dashboards:refresh") + "?quarter=2026Q3").status_code == 403
    assert not FigureBuild.objects.exists()
    assert client.get(reverse("admin:index")).status_code == 302  # not staff: to the admin login
    cadre = f.user_with_role("cadre", cadre=f.CadreFactory())
    client.force_login(cadre)
    assert client.get(reverse("dashboards:dashboard")).status_code == 403


def test_staff_recount_now(client, city, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("dashboards:refresh") + "?quarter=2026Q3")
    assert response.status_code == 302
    assert FigureCell.objects.filter(quarter="2026Q3").exists()


def test_an_officer_sees_only_their_unit(client, city):
    officer = f.user_with_role("unit_officer", cadre=f.CadreFactory(unit=city["econ"]))
    client.force_login(officer)
    response = client.get(reverse("dashboards:dashboard"), {"quarter": "2026Q3"})
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("dashboards:unit", args=[city["econ"].pk])
    )
    assert (
        client.get(reverse("dashboards:unit", args=[city["town"].pk])).status_code == 404
    )  # as a unit that does not exist
    assert client.get(reverse("dashboards:cadre", args=[city["a"].pk])).status_code == 200


def test_drill_down_city_unit_cadre_pairing(client, city):
    figures.build(Q3)
    client.force_login(f.user_with_role("leader"))
    unit_page = client.get(reverse("dashboards:unit", args=[city["econ"].pk]), {"quarter": "2026Q3"})
    assert "甲" in unit_page.content.decode()
    cadre_page = client.get(reverse("dashboards:cadre", args=[city["a"].pk]), {"quarter": "2026Q3"})
    text = cadre_page.content.decode()
    assert city["p1"].enterprise.name in text and "已走访" in text and "未走访" in text
    pairing_page = client.get(reverse("dashboards:pairing", args=[city["p1"].pk]))
    assert "2026年8月3日" in pairing_page.content.decode()


def grow(size, staff_user, offset):
    """``size`` more units, each with pairings, visits, items and a slip."""
    place = f.PlaceFactory(name="崇福镇")
    for n in range(size):
        unit = f.UnitFactory(name=f"市部门{offset + n}")
        cadre = f.CadreFactory(unit=unit)
        for _ in range(2):
            pairing = f.PairingFactory(
                cadre=cadre, enterprise=f.EnterpriseFactory(place=place), start_date=D(2026, 3, 27)
            )
            f.submitted_visit(pairing, D(2026, 8, 5))
            item(pairing, "talent", "resolved", D(2026, 8, 9))
        issue_services.refer(
            item(pairing, "market", "office"), department=unit, by=staff_user, on=D(2026, 7, 2)
        )
        coordinator = f.CityLeaderFactory(is_coordinator=True)
        CoordinatorRegion.objects.get_or_create(
            place=f.PlaceFactory(name=f"镇{offset + n}"), defaults={"cadre": coordinator}
        )


def test_dashboard_queries_do_not_grow_with_the_data(client, city, staff_user, django_assert_max_num_queries):
    """At most 20 queries for the page, at two sizes (the benchmark shows the time)."""
    leader = f.user_with_role("leader")
    client.force_login(leader)
    url = reverse("dashboards:dashboard") + "?quarter=2026Q3"
    sizes = []
    for size, offset in ((2, 0), (12, 100)):
        grow(size, staff_user, offset)
        figures.build(Q3)
        with django_assert_max_num_queries(20) as captured:
            assert client.get(url).status_code == 200
        sizes.append(len(captured))
    assert sizes[0] == sizes[1]
    unit_url = reverse("dashboards:unit", args=[city["econ"].pk]) + "?quarter=2026Q3"
    with django_assert_max_num_queries(14):
        assert client.get(unit_url).status_code == 200


def test_cells_are_replaced_whole_and_a_second_worker_that_waited_does_nothing(city, monkeypatch):
    first = figures.build(Q3)
    count = FigureCell.objects.filter(quarter="2026Q3").count()
    # A second worker read the count before the first one's (say, nothing
    # counted yet), then waited for the lock while it ran: nothing changed
    # since, so there is nothing to do.
    monkeypatch.setattr(figures, "_last_count", lambda label: None)
    again = figures.build(Q3)
    assert (again.built_at, again.counted_changes) == (first.built_at, first.counted_changes)
    monkeypatch.undo()
    figures.build(Q3)
    assert FigureCell.objects.filter(quarter="2026Q3").count() == count


def test_a_clock_stepping_back_never_leaves_a_quarter_stale(city, staff_user, client, time_machine):
    """Issue 16.6: staleness by what changed (the change count a count saw),
    not by comparing the build time with the request time."""
    time_machine.move_to(datetime.datetime(2026, 11, 25, 4, tzinfo=datetime.UTC), tick=False)
    figures.build(Q3)
    raised = figures.totals_by_quarter([Q3])["2026Q3"].raised
    time_machine.move_to(datetime.datetime(2026, 11, 25, 3, tzinfo=datetime.UTC), tick=False)  # an hour back
    late = item(city["p1"], "talent", reported=D(2026, 9, 3))
    figures.mark_changed([Q3])
    assert figures.stale_quarters([Q3]) == [Q3] and figures.freshness(Q3).stale
    # the recount after writes, and the staff's button, both count though the
    # last count's time is "later" than now
    figures.build(Q3, only_if_stale=True)
    assert figures.totals_by_quarter([Q3])["2026Q3"].raised == raised + 1
    assert figures.stale_quarters([Q3]) == [] and not figures.freshness(Q3).stale
    late.delete()
    client.force_login(staff_user)
    client.post(reverse("dashboards:refresh") + "?quarter=2026Q3")
    assert figures.totals_by_quarter([Q3])["2026Q3"].raised == raised
    # the scheduled job too
    from jobs.tasks import refresh_dashboard_figures

    assert "2026Q3" in refresh_dashboard_figures.apply(kwargs={"quarter": "2026Q3"}).get()


def test_doubling_progress_on_the_dashboard_city_and_towns(staff_user):
    """R17 on the dashboard: the city plan's figures, or for some towns the
    sum of their town targets; counts at the end of the quarter and the one before."""
    from dashboards import selectors
    from multiplication import services as registry
    from multiplication.models import CategoryRemit, DoublingPlan, Membership, PlanTownTarget

    puyuan, wuzhen = f.PlaceFactory(name="濮院镇"), f.PlaceFactory(name="乌镇镇")
    for place, started in ((puyuan, D(2024, 1, 1)), (puyuan, D(2026, 8, 1)), (wuzhen, D(2024, 1, 1))):
        registry.save_membership(
            Membership(
                enterprise=f.EnterpriseFactory(place=place),
                category="listed",
                started_on=started,
                exchange="sse",
                stock_code="603055",
                listed_on=started,
            )
        )
    finance = f.UnitFactory(name="市金融办")
    CategoryRemit.objects.create(unit=finance, category="listed")
    plan = DoublingPlan.objects.create(
        category="listed",
        owner=finance,
        title="上市倍增",
        baseline_date=D(2024, 12, 31),
        target_date=D(2027, 12, 31),
    )
    PlanTownTarget.objects.create(plan=plan, place=puyuan)
    registry.approve_plan(plan, staff_user)

    city = {row.category: row for row in selectors.doubling_rows(Q3)}["listed"]
    assert (city.before, city.current, city.change, city.baseline, city.target, city.share) == (
        2,
        3,
        1,
        2,
        4,
        0.5,
    )
    town = {row.category: row for row in selectors.doubling_rows(Q3, [puyuan.pk])}["listed"]
    assert (town.before, town.current, town.baseline, town.target, town.share) == (1, 2, 1, 2, 1.0)
    other = {row.category: row for row in selectors.doubling_rows(Q3, [wuzhen.pk])}["listed"]
    assert (other.current, other.baseline, other.target) == (1, None, None)  # no target split for 乌镇镇
