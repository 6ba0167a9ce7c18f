"""Every xlsx export of the system, fetched the way its users fetch it, and
turned into PDF by LibreOffice the way an office printer would see it.

Used by ``tests/test_print.py``; kept apart so that a person can run the same
exports against a demo database and look at the PDFs (see that test's
docstring)."""

import datetime
import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")


@dataclass
class Export:
    name: str  # a file stem: ascii, one per export
    content: bytes  # the xlsx as served


def _login(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/vnd.openxmlformats"), url
    return response.content


def collect_exports():
    """Each export, through its real URL (or, for the quarterly report, which
    a task builds, the function the task calls), on the data in the database:
    a world made by ``seed_demo`` plus a spot-check batch drawn and checked
    through the real services."""
    from cadres.models import Cadre
    from issues import spotchecks
    from issues.models import IssueItem
    from jobs.report import build_workbook
    from multiplication.models import Membership
    from tabular.xlsx import workbook_bytes
    from visits.models import Visit
    from visits.quarters import Quarter

    today = timezone.localdate()
    quarter = Quarter.of(today)
    staff = _login("lianluoban")
    exports = [
        Export("attachment2", _get(staff, reverse("cadres:arrangement_xlsx"))),
        Export("compliance", _get(staff, reverse("cadres:compliance_xlsx"))),
        Export("coverage", _get(staff, reverse("visits:coverage"), format="xlsx", quarter=quarter.label)),
    ]

    response = staff.post(
        reverse("admin:issues_issueitem_changelist"),
        {
            "action": "export_issue_list",
            "_selected_action": list(IssueItem.objects.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd"), (
        response.status_code,
        response.content[:300],
    )
    exports.append(Export("issue-list", response.content))

    category = Membership.objects.order_by("category").values_list("category", flat=True).first()
    exports.append(Export("doubling", _get(staff, reverse("multiplication:members_xlsx", args=[category]))))

    unit = Cadre.objects.get(user__username="xinxiyuan").unit
    exports.append(
        Export(
            "evaluation",
            _get(staff, reverse("dashboards:evaluation_xlsx"), unit=unit.pk, year=today.year),
        )
    )

    visit = Visit.objects.filter(status=Visit.Status.SUBMITTED).order_by("pk").first()
    exports.append(Export("feedback-form", _get(staff, reverse("visits:xlsx", args=[visit.pk]))))

    supervisor = get_user_model().objects.get(username="ducha")
    batch = spotchecks.create_batch(quarter=quarter.previous(), size=6, seed=7, title="", by=supervisor)
    for number, check in enumerate(batch.checks.all()):
        spotchecks.record_check(
            check,
            by=supervisor,
            method="phone",
            checked_on=today - datetime.timedelta(days=number),
            visit_confirmed=number % 3 != 0,
            satisfaction="satisfied" if number % 2 else "basically",
            finding="企业反映干部上门走访，帮助对接了技改补助申报。" if number % 2 else "",
        )
    exports.append(
        Export(
            "spot-check-notice",
            _get(_login("ducha"), reverse("issues:spotcheck_notice", args=[batch.pk]), format="xlsx"),
        )
    )

    exports.append(Export("quarterly-report", workbook_bytes(build_workbook(quarter))))
    exports.extend(admin_exports(staff))
    return exports


def admin_export_models():
    """The models whose admin exports a sheet (django-import-export), by the
    export's name here: ``admin-enterprise`` and so on."""
    from django.contrib.admin import site
    from import_export.admin import ExportMixin

    from tabular.admin import SafeExportMixin

    return {
        f"admin-{model._meta.model_name}": model
        for model, model_admin in sorted(site._registry.items(), key=lambda item: item[0]._meta.label)
        if isinstance(model_admin, SafeExportMixin) and isinstance(model_admin, ExportMixin)
    }


def admin_exports(client):
    """Each admin export as xlsx, every column chosen, as staff fetch it:
    the export page's form (its format and the first resource's fields, all
    ticked as it comes) sent back."""
    from django.forms import BooleanField

    from tabular.formats import SafeXLSX

    exports = []
    for name, model in admin_export_models().items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
        form = client.get(url).context["form"]
        formats = [value for value, label in form.fields["format"].choices if label == SafeXLSX().get_title()]
        resource = form.fields["resource"].choices[0][0] if "resource" in form.fields else "0"
        data = {"format": formats[0], "resource": resource}
        for field_name, field in form.fields.items():
            if isinstance(field, BooleanField) and field.initial and getattr(field, "resource_index", 0) == 0:
                data[field_name] = "on"
        response = client.post(url, data)
        assert response.status_code == 200 and response["Content-Type"].startswith(
            "application/vnd.openxmlformats"
        ), (url, response.status_code, response.content[:300])
        exports.append(Export(name, response.content))
    return exports


@dataclass
class Printed:
    """One sheet of one export, printed on its own."""

    export: str
    sheet: str
    xlsx: Path
    pdf: Path


def split_sheets(exports, folder: Path):
    """Each export as served (``NAME.xlsx``), and one file per sheet. A
    workbook of one sheet is printed as served; a workbook of several is also
    saved once per sheet with the others removed (its page setup, print
    titles, merges and widths kept), so that each sheet's pages are known to
    be its own. The whole workbook is printed too, to show that its pages are
    those of its sheets, one after the other."""
    whole, files = [], []
    for export in exports:
        served = folder / f"{export.name}.xlsx"
        served.write_bytes(export.content)
        whole.append(Printed(export.name, "", served, served.with_suffix(".pdf")))
        names = load_workbook(io.BytesIO(export.content)).sheetnames
        for index, name in enumerate(names):
            if len(names) == 1:
                files.append(Printed(export.name, name, served, served.with_suffix(".pdf")))
                continue
            path = folder / f"{export.name}--{index + 1}.xlsx"
            book = load_workbook(io.BytesIO(export.content))
            for other in names:
                if other != name:
                    del book[other]
            book.save(path)
            files.append(Printed(export.name, name, path, path.with_suffix(".pdf")))
    return whole, files


def to_pdf(files, folder: Path, timeout=300):
    """Every file in one LibreOffice run (it takes seconds to start), with a
    profile of its own so that another LibreOffice running does not answer."""
    profile = folder / "lo-profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *sorted({str(f.xlsx) for f in files}),
        ],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    missing = [f.xlsx.name for f in files if not f.pdf.exists()]
    assert not missing, f"LibreOffice made no PDF of {missing}"


def pages_text(pdf: Path, *, layout=False):
    """The text of each page, in order."""
    command = [PDFTOTEXT, *(["-layout"] if layout else []), str(pdf), "-"]
    text = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages
