"""Every xlsx/csv download has a meaningful name, Chinese-safe (RFC 5987
``filename*``, an ASCII ``filename`` beside it), never ``-2026.xlsx``: no name
starts with ``-`` and none has an empty part."""

import ast
import datetime
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from cadres import services as cadre_services
from cadres.models import Pairing
from issues import spotchecks
from issues.models import IssueItem
from jobs import report
from tabular.xlsx import content_disposition, download_name
from tests.factories import CadreFactory, EnterpriseFactory, UnitFactory, user_with_role
from tests.project import PACKAGES, ROOT
from tongxiang_liaison.actions import submit_feedback
from visits import services as visit_services
from visits.models import Visit
from visits.quarters import Quarter

pytestmark = pytest.mark.django_db
APPS = PACKAGES


def names(header: str) -> tuple[str, str]:
    """(ASCII ``filename``, decoded ``filename*``) of a Content-Disposition."""
    plain = re.search(r'filename="([^"]*)"', header)
    extended = re.search(r"filename\*=UTF-8''(\S+)", header)
    assert plain and extended, header
    return plain.group(1), unquote(extended.group(1))


def assert_well_named(name: str, ext: str):
    stem, dot, extension = name.rpartition(".")
    assert dot and extension == ext, name
    assert stem and not stem.startswith("-") and not stem.endswith("-"), name
    assert all(part.strip() for part in stem.split("-")), name  # no empty part
    assert not re.search(r'[\\/:*?"<>|]', name), name


@pytest.mark.parametrize(
    "parts, expected",
    [
        (("问题清单", "2026Q3"), "问题清单-2026Q3.xlsx"),
        (("", "2026年度联系干部考评"), "2026年度联系干部考评.xlsx"),  # a unit with no name
        (("-", " ", "2026"), "2026.xlsx"),
        (("走访反馈表", "A/B:公司", datetime.date(2026, 11, 2)), "走访反馈表-A_B_公司-2026-11-02.xlsx"),
        ((), "export.xlsx"),
    ],
)
def test_download_name_joins_only_meaningful_parts(parts, expected):
    assert download_name(*parts) == expected


@pytest.mark.parametrize(
    "filename, fallback, plain",
    [
        ("问题清单-2026Q3.xlsx", "issue-list-2026Q3.xlsx", "issue-list-2026Q3.xlsx"),
        ("-2026年度联系干部考评.xlsx", "", "export-2026.xlsx"),  # the name found on real data
        ("结对合规-20261202.xlsx", "", "export-20261202.xlsx"),
        ("企业.csv", "", "export.csv"),
    ],
)
def test_content_disposition_never_starts_with_a_dash(filename, fallback, plain):
    ascii_name, chinese = names(content_disposition(filename, fallback))
    assert ascii_name == plain
    for name in (ascii_name, chinese):
        assert_well_named(name, filename.rpartition(".")[2])


def test_every_xlsx_response_in_the_code_is_named_by_download_name():
    """A new download cannot bring back an f-string name with an empty part."""
    calls = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "xlsx_response":
                    calls.append((path.name, node))
    assert len(calls) >= 8
    for filename, call in calls:
        named = call.args[1:] + [k.value for k in call.keywords if k.arg in ("filename", "fallback")]
        assert named and all(
            isinstance(arg, ast.Call) and getattr(arg.func, "id", None) == "download_name" for arg in named
        ), f"{filename}:{call.lineno}"


@pytest.fixture
def world(db):
    unit = UnitFactory(name="市经信局")
    cadre = CadreFactory(unit=unit, name="叶文海")
    pairing = cadre_services.create_pairing(
        cadre=cadre,
        enterprise=EnterpriseFactory(name="桐乡市华丰纺织有限公司"),
        kind=Pairing.Kind.DEPARTMENT,
        start_date=datetime.date(2026, 3, 27),
    )
    visit = visit_services.save_visit(
        Visit(pairing=pairing, visit_date=datetime.date(2026, 8, 3), mode="onsite", situation="生产正常。"),
        companions=[],
        problems=[("labour", "招工难")],
    )
    visit = submit_feedback(visit, by=None).visit
    superuser = user_with_role("liaison_staff", username="office")
    superuser.is_superuser = True
    superuser.save()
    batch = spotchecks.create_batch(quarter=Quarter(2026, 3), size=1, seed=1, title="", by=superuser)
    built = report.build_report(Quarter(2026, 3))
    return {"unit": unit, "visit": visit, "user": superuser, "batch": batch, "report": built}


def test_every_download_of_the_site_is_well_named(client, world):
    client.force_login(world["user"])
    get = {
        "compliance": reverse("cadres:compliance_xlsx"),
        "attachment2": reverse("cadres:arrangement_xlsx"),
        "visit": reverse("visits:xlsx", args=[world["visit"].pk]),
        "coverage": reverse("visits:coverage") + "?quarter=2026Q3&format=xlsx",
        "notice": reverse("issues:spotcheck_notice", args=[world["batch"].pk]) + "?format=xlsx",
        "evaluation": reverse("dashboards:evaluation_xlsx") + f"?year=2026&unit={world['unit'].pk}",
        "doubling": reverse("multiplication:members_xlsx", args=["above_size"]),
        "report": reverse("jobs:report_download", args=[world["report"].pk]),
    }
    seen = {}
    for key, url in get.items():
        response = client.get(url)
        assert response.status_code == 200, (key, response.status_code)
        seen[key] = names(response["Content-Disposition"])
    items = list(IssueItem.objects.values_list("pk", flat=True))
    assert items  # the visit's problem
    response = client.post(
        reverse("admin:issues_issueitem_changelist") + "?quarter=2026Q3",
        {"action": "export_issue_list", "_selected_action": items},
    )
    seen["issue_list"] = names(response["Content-Disposition"])
    for fmt, ext in (("0", "xlsx"), ("1", "csv")):
        response = client.post(
            reverse("admin:enterprises_enterprise_export"),
            {"format": fmt, "resource": "0", "enterpriseresource_name": "on"},
        )
        assert response.status_code == 200
        seen[f"admin_{ext}"] = names(response["Content-Disposition"])
    for key, (plain, chinese) in seen.items():
        ext = "csv" if key == "admin_csv" else "xlsx"
        assert_well_named(plain, ext)
        assert_well_named(chinese, ext)
        assert plain.isascii()
    assert seen["coverage"] == ("visit-coverage-2026Q3.xlsx", "走访覆盖率-2026Q3.xlsx")
    assert seen["issue_list"] == ("issue-list-2026Q3.xlsx", "问题清单-2026Q3.xlsx")
    assert seen["evaluation"][1] == "市经信局-2026年度联系干部考评.xlsx"
    assert seen["notice"][1] == f"抽查通报-2026Q3-第{world['batch'].pk}批.xlsx"
    assert seen["report"] == ("quarterly-resolution-report-2026Q3.xlsx", "联企问题解决率季度报表-2026Q3.xlsx")
    assert seen["visit"][1] == "走访反馈表-桐乡市华丰纺织有限公司-2026-08-03.xlsx"
    assert seen["admin_csv"][1].startswith("企业-") and seen["admin_csv"][0].startswith("enterprise-")


def test_a_unit_without_a_usable_name_still_gets_a_named_evaluation(client, world):
    world["unit"].name = "/"
    world["unit"].save()
    client.force_login(world["user"])
    response = client.get(reverse("dashboards:evaluation_xlsx") + f"?year=2026&unit={world['unit'].pk}")
    plain, chinese = names(response["Content-Disposition"])
    assert (
        chinese == "2026年度联系干部考评.xlsx"
        and plain == f"cadre-evaluation-unit{world['unit'].pk}-2026.xlsx"
    )
