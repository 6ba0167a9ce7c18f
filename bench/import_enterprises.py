"""Import 10,000 enterprises from an xlsx file through the resource the admin
uses, on PostgreSQL, and print rows per second for:

- our all-or-nothing path (validate every row, then bulk write);
- django-import-export's default configuration of the same resource;
- the library's documented bulk settings (use_bulk, batch_size, skip_diff).

Usage: python bench/import_enterprises.py [--rows 10000] [--database-url postgres://…]
It creates (and reuses) the database ``liaison_bench`` unless told otherwise.
"""

import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import arguments, empty_enterprises, migrate, prepare  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/liaison_bench"


def main():
    parser = arguments(__doc__, "BENCH_DATABASE_URL", DEFAULT_URL, rebuild=False, rows=10_000)
    parser.add_argument("--skip-default", action="store_true", help="skip the slow library paths")
    args = parser.parse_args()
    prepare(args.database_url)
    import logging

    logging.getLogger("import_export").setLevel(logging.ERROR)

    import tablib
    from django.contrib.auth import get_user_model
    from django.db import connection
    from openpyxl import Workbook

    from cadres.demo import demo_credit_code
    from enterprises.models import Enterprise, Place
    from enterprises.resources import EnterpriseResource
    from tabular.formats import SafeXLSX

    migrate("places", "units", static=False)
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_superuser": True})
    places = list(Place.objects.values_list("name", flat=True))

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    headers = ["企业名称", "统一社会信用代码", "所在镇（街道）", "地址", "行业", "法定代表人", "企业联系人",
               "企业联系电话", "职工人数", "上年营业收入（万元）", "营业收入年度"]  # fmt: skip
    ws.append(headers)
    for n in range(args.rows):
        ws.append([
            f"桐乡市基准{n}有限公司", demo_credit_code(30_000_000 + n), places[n % len(places)],
            f"{places[n % len(places)]}工业路{n}号", "纺织", "张三", "李四", f"0573-88{n % 1000000:06d}",
            10 + n % 500, 1000 + n % 9000, 2025,
        ])  # fmt: skip
    buffer = io.BytesIO()
    wb.save(buffer)
    content = buffer.getvalue()

    started = time.perf_counter()
    dataset = SafeXLSX().create_dataset(content)
    parse_seconds = time.perf_counter() - started

    def run(label, resource, **kwargs):
        empty_enterprises()
        started = time.perf_counter()
        result = resource.import_data(dataset, dry_run=False, user=user, **kwargs)
        seconds = time.perf_counter() - started
        assert not result.has_errors() and not result.has_validation_errors(), label
        assert Enterprise.objects.count() == args.rows, label
        rate = args.rows / seconds
        print(f"  {label:<46} {seconds:7.2f} s  {rate:8.0f} rows/s")
        return rate

    print(f"PostgreSQL {connection.pg_version // 10000}, {args.rows} rows, xlsx {len(content) // 1024} KiB")
    print(f"  {'parse the xlsx (common to every path)':<46} {parse_seconds:7.2f} s")
    ours = run("ours: validate all rows, then bulk write", EnterpriseResource(user=user))

    started = time.perf_counter()
    preview = EnterpriseResource(user=user).import_data(dataset, dry_run=True, user=user)
    print(f"  {'ours, preview (dry run) of a re-import':<46} {time.perf_counter() - started:7.2f} s"
          f"  ({preview.totals['skip']} unchanged)")  # fmt: skip

    bad = dataset.dict[:]
    bad_dataset = tablib.Dataset(headers=dataset.headers)
    for i, row in enumerate(bad):
        values = [row[h] for h in dataset.headers]
        if i == args.rows // 2:
            values[1] = values[1][:-1] + ("0" if values[1][-1] != "0" else "1")
        bad_dataset.append(values)
    empty_enterprises()
    started = time.perf_counter()
    result = EnterpriseResource(user=user).import_data(bad_dataset, dry_run=False, user=user)
    print(f"  {'ours, one bad row (rejected, nothing written)':<46} {time.perf_counter() - started:7.2f} s"
          f"  row {result.invalid_rows[0].number}, {Enterprise.objects.count()} written")  # fmt: skip

    if args.skip_default:
        return

    default = EnterpriseResource(user=user)
    default.use_fast_path = False
    library_default = run("django-import-export default configuration", default, use_transactions=True)

    class BulkEnterpriseResource(EnterpriseResource):
        use_fast_path = False

        class Meta(EnterpriseResource.Meta):
            use_bulk = True
            batch_size = 1000
            skip_diff = True

    library_bulk = run("django-import-export documented bulk settings", BulkEnterpriseResource(user=user),
                       use_transactions=True)  # fmt: skip
    print(f"  ours / default = {ours / library_default:.1f}x, ours / bulk = {ours / library_bulk:.1f}x")
    empty_enterprises()


if __name__ == "__main__":
    main()
