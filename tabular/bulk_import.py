"""The all-or-nothing spreadsheet import, fast enough for a city's registers.

django-import-export's default path saves row by row (one or more queries per
row, ~500 rows/s here) and its bulk mode cannot tie a database error to a row.
:class:`AllOrNothingResource` keeps the library's resources, widgets and admin
preview/confirm screens but replaces ``import_data``:

1. every row is normalised (spaces, full-width digits, neutralised formulas),
   parsed by its widgets and validated by the model's own ``full_clean`` — the
   same validators the admin forms use — with foreign keys and existing rows
   looked up in dictionaries loaded once per file;
2. existing rows are looked up only among those the importing user may change
   (:meth:`changeable`), unlike the library's instance loader, which reaches
   every row;
3. if any row fails, nothing is written and every failure is reported with its
   sheet row number, column header and reason (in Chinese, with English);
4. otherwise new rows are inserted with ``bulk_create`` and changed rows saved
   with ``bulk_update``, in one transaction; for a model that keeps a change
   history, ``bulk_create_with_history`` / ``bulk_update_with_history``, each
   row's history naming the importing user.

Subclasses declare ``natural_key`` (the attributes that identify a row),
``lookup_fields`` (foreign keys written as a natural key of the related model)
and ``compact_attributes`` (codes and phone numbers), and may override
:meth:`changeable`, :meth:`lookup_queryset` and :meth:`check_rows`.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import ForeignKey
from django.utils import timezone
from import_export import resources
from import_export.exceptions import ImportError as ImportExportError
from import_export.results import Error, RowResult
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .cells import clean_text, compact_code, is_blank, restore_neutralised
from .history import is_audited

HEADER_ROWS = 1
LOOKUP_CHUNK = 5000


@dataclass
class PlannedRow:
    number: int
    instance: object
    import_type: str
    values: dict
    changes: dict = field(default_factory=dict)


@dataclass
class ImportPlan:
    rows: list = field(default_factory=list)
    errors: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    raw_rows: dict = field(default_factory=dict)

    def add_error(self, number, column, message):
        self.errors[number][column].append(message)

    @property
    def ok(self):
        return not self.errors


def row_message(number, column, reason):
    if column == NON_FIELD_ERRORS:
        return f"第 {number} 行：{reason}"
    return f"第 {number} 行「{column}」列：{reason}"


class AllOrNothingResource(resources.ModelResource):
    natural_key = ()
    lookup_fields = {}
    compact_attributes = ()
    use_fast_path = True
    preview_rows = 1000
    batch_size = 1000

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    # -- hooks ---------------------------------------------------------------

    def changeable(self, queryset, user):
        """The rows of ``queryset`` that ``user`` may change. Default: all."""
        return queryset

    def lookup_queryset(self, attribute, model, user):
        """The related rows a foreign-key column may name. Default: all."""
        return model._default_manager.all()

    def existing_queryset(self):
        return self._meta.model._default_manager.all()

    def check_rows(self, plan, user):
        """Rules that span rows or need other tables (loaded in bulk). Add errors
        to ``plan`` with :meth:`ImportPlan.add_error`."""

    def prepare_new(self, instance, user):
        """Set what a new row needs beyond its columns."""

    def fixed_values(self):
        """Attributes every row takes from outside the file (an import form's
        fields, say); compared and saved like the columns."""
        return {}

    # -- the library's default path shares normalisation and scoping -----------

    def get_queryset(self):
        return self.changeable(self.existing_queryset(), self.user)

    def before_import_row(self, row, **kwargs):
        for column, value in list(row.items()):
            row[column] = self.normalise_cell(column, value)

    # -- the fast path -------------------------------------------------------

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        if not self.use_fast_path:
            return super().import_data(
                dataset,
                dry_run=dry_run,
                raise_errors=raise_errors,
                use_transactions=use_transactions,
                collect_failed_rows=collect_failed_rows,
                rollback_on_validation_errors=rollback_on_validation_errors,
                **kwargs,
            )
        user = kwargs.get("user") or self.user
        self.user = user
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = len(dataset)

        missing = self.missing_columns(dataset.headers or [])
        if missing:
            error = ValidationError(
                f"文件缺少必需的列：{'、'.join(missing)}。未写入任何数据。"
                f" / Required columns missing: {', '.join(missing)}. Nothing was written."
            )
            if raise_errors:
                raise ImportExportError(error)
            result.append_base_error(Error(error))
            return result

        plan = self.plan(dataset, user)
        if not plan.ok:
            self.report_invalid(plan, result)
            if raise_errors:
                first = result.invalid_rows[0]
                raise ImportExportError(first.error, number=first.number)
            return result

        if not dry_run:
            try:
                with transaction.atomic(using=self.get_db_connection_name()):
                    self.write(plan)
            except DatabaseError as exc:
                error = DatabaseError(
                    f"写入数据库时出错，已全部撤销，未写入任何数据：{exc}"
                    f" / The database refused the import; nothing was written."
                )
                if raise_errors:
                    raise ImportExportError(error) from exc
                result.append_base_error(Error(error))
                return result

        self.report_rows(plan, result, dry_run)
        return result

    def import_fields_present(self, headers):
        present = set(headers)
        return [f for f in self.get_import_fields() if f.column_name in present and not f.readonly]

    def required_columns(self):
        model = self._meta.model
        required = []
        for f in self.get_import_fields():
            if f.readonly or not f.attribute or "__" in f.attribute:
                continue
            try:
                model_field = model._meta.get_field(f.attribute)
            except Exception:
                continue
            has_default = model_field.has_default() or getattr(model_field, "auto_now", False)
            if not model_field.blank and not has_default:
                required.append(f.column_name)
        return required

    def missing_columns(self, headers):
        present = {clean_text(h) if isinstance(h, str) else h for h in headers}
        return [c for c in self.required_columns() if c not in present]

    def normalise_cell(self, column, value):
        value = restore_neutralised(clean_text(value))
        attribute = self._attribute_by_column().get(column)
        if attribute in self.compact_attributes or (
            attribute in self.lookup_fields and self.lookup_fields[attribute] in self.compact_attributes
        ):
            value = compact_code(value)
        return value

    def _attribute_by_column(self):
        if not hasattr(self, "_attr_by_col"):
            self._attr_by_col = {f.column_name: f.attribute for f in self.get_import_fields()}
        return self._attr_by_col

    def plan(self, dataset, user):
        """Validate every row; write nothing."""
        model = self._meta.model
        headers = [clean_text(h) if isinstance(h, str) else h for h in dataset.headers]
        fields = self.import_fields_present(headers)
        plan = ImportPlan()

        rows = []
        for index, values in enumerate(dataset, start=1):
            number = index + HEADER_ROWS
            row = {h: self.normalise_cell(h, v) for h, v in zip(headers, values, strict=False)}
            if all(is_blank(v) for v in row.values()):
                continue
            rows.append((number, row))
            plan.raw_rows[number] = row

        # Pass 1: parse cells (foreign keys through dictionaries loaded once).
        lookups = self._load_lookups(fields, rows, user, plan)
        parsed, seen_keys = [], {}
        for number, row in rows:
            values = self._parse_row(number, row, fields, lookups, plan)
            if number in plan.errors:
                continue
            key = self.key_of(values)
            blank = [a for a, part in zip(self.natural_key, key, strict=True) if part in (None, "")]
            if blank:
                for attribute in blank:
                    plan.add_error(number, self._column_of(attribute), "不能为空。 / Required.")
                continue
            if key in seen_keys:
                columns = "、".join(self._column_of(a) for a in self.natural_key)
                plan.add_error(
                    number,
                    NON_FIELD_ERRORS,
                    f"与第 {seen_keys[key]} 行重复（{columns}相同）。 / Duplicate of row {seen_keys[key]}.",
                )
                continue
            seen_keys[key] = number
            parsed.append((number, values, key))

        # Pass 2: existing rows, only among those the user may change.
        existing, forbidden = self.load_existing({key for _, _, key in parsed}, user)

        # Pass 3: build instances and run the model's own validation.
        fk_attributes = {f.name for f in model._meta.concrete_fields if isinstance(f, ForeignKey)}
        for number, values, key in parsed:
            if key in forbidden:
                plan.add_error(
                    number,
                    self._column_of(self.natural_key[0]),
                    "该记录已存在，但不在您有权修改的范围内。"
                    " / This record exists but is outside what you may change.",
                )
                continue
            instance = existing.get(key)
            if instance is None:
                instance = model()
                import_type = RowResult.IMPORT_TYPE_NEW
                before = {}
            else:
                import_type = RowResult.IMPORT_TYPE_UPDATE
                before = {a: _comparable(getattr(instance, a)) for a in values}
            for attribute, value in values.items():
                setattr(instance, attribute, value)
            if import_type == RowResult.IMPORT_TYPE_NEW:
                self.prepare_new(instance, user)

            missing_fk = [
                a
                for a in sorted(fk_attributes)
                if getattr(instance, model._meta.get_field(a).attname) is None
                and not model._meta.get_field(a).null
            ]
            for attribute in missing_fk:
                plan.add_error(number, self._column_of(attribute), "不能为空。 / Required.")
            if missing_fk:
                continue
            try:
                # Foreign keys were resolved above; excluding them spares one
                # existence query per key per row. Uniqueness is checked across
                # the file here and guaranteed by the database's constraints.
                instance.full_clean(
                    exclude=list(fk_attributes), validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                for attribute, messages in exc.message_dict.items():
                    column = self._column_of(attribute)
                    for message in messages:
                        plan.add_error(number, column, message)
                continue

            changes = {}
            if import_type == RowResult.IMPORT_TYPE_UPDATE:
                changes = {
                    a: (before[a], _comparable(getattr(instance, a)))
                    for a in values
                    if before[a] != _comparable(getattr(instance, a))
                }
                if not changes:
                    import_type = RowResult.IMPORT_TYPE_SKIP
            plan.rows.append(PlannedRow(number, instance, import_type, values, changes))

        if plan.ok:
            self.check_rows(plan, user)
        return plan

    def _parse_row(self, number, row, fields, lookups, plan):
        values = dict(self.fixed_values())
        for f in fields:
            raw = row.get(f.column_name)
            if f.attribute in self.lookup_fields:
                # Unknown values were reported by _load_lookups.
                values[f.attribute] = None if is_blank(raw) else lookups[f.attribute].get(raw)
                continue
            try:
                values[f.attribute] = f.widget.clean(raw, row=row)
            except (ValueError, ValidationError) as exc:
                plan.add_error(number, f.column_name, _reason(exc))
        return values

    def key_of(self, values):
        return tuple(_comparable(values.get(a)) for a in self.natural_key)

    def instance_key(self, instance):
        model = self._meta.model
        return tuple(getattr(instance, model._meta.get_field(a).attname) for a in self.natural_key)

    def load_existing(self, keys, user):
        """``({key: instance the user may change}, {keys that exist beyond that})``."""
        model = self._meta.model
        attnames = [model._meta.get_field(a).attname for a in self.natural_key]
        existing, anywhere = {}, set()
        firsts = sorted({key[0] for key in keys}, key=str)
        for chunk in _chunks(firsts, LOOKUP_CHUNK):
            base = self.existing_queryset().filter(**{f"{attnames[0]}__in": chunk})
            for instance in self.changeable(base, user):
                key = self.instance_key(instance)
                if key in keys:
                    existing[key] = instance
            for values in base.values_list(*attnames):
                if tuple(values) in keys:
                    anywhere.add(tuple(values))
        return existing, anywhere - set(existing)

    def _column_of(self, attribute):
        for f in self.get_import_fields():
            if f.attribute == attribute:
                return f.column_name
        try:
            return str(self._meta.model._meta.get_field(attribute).verbose_name)
        except Exception:
            return NON_FIELD_ERRORS

    def _load_lookups(self, fields, rows, user, plan):
        """One query per foreign-key column (per 5,000 distinct values), scoped."""
        model = self._meta.model
        lookups = {}
        for f in fields:
            if f.attribute not in self.lookup_fields:
                continue
            match = self.lookup_fields[f.attribute]
            related = model._meta.get_field(f.attribute).related_model
            wanted = {row.get(f.column_name) for _, row in rows} - {None, ""}
            found = {}
            for chunk in _chunks(sorted(wanted, key=str), LOOKUP_CHUNK):
                queryset = self.lookup_queryset(f.attribute, related, user).filter(**{f"{match}__in": chunk})
                found.update({getattr(obj, match): obj for obj in queryset})
            unknown = wanted - set(found)
            outside = set()
            for chunk in _chunks(sorted(unknown, key=str), LOOKUP_CHUNK):
                outside.update(
                    related._default_manager.filter(**{f"{match}__in": chunk}).values_list(match, flat=True)
                )
            label = str(related._meta.verbose_name)
            for number, row in rows:
                value = row.get(f.column_name)
                if value in unknown:
                    if value in outside:
                        reason = (
                            f"{label}“{value}”不在您有权使用的范围内。"
                            f" / {label} “{value}” is outside what you may use."
                        )
                    else:
                        reason = f"找不到{label}“{value}”。 / No {label} “{value}” found."
                    plan.add_error(number, f.column_name, reason)
            lookups[f.attribute] = found
        return lookups

    def write(self, plan):
        model = self._meta.model
        new = [r.instance for r in plan.rows if r.import_type == RowResult.IMPORT_TYPE_NEW]
        changed = [r for r in plan.rows if r.import_type == RowResult.IMPORT_TYPE_UPDATE]
        if new:
            if is_audited(model):  # a history row per row, naming the importer
                bulk_create_with_history(new, model, batch_size=self.batch_size, default_user=self.user)
            else:
                model._default_manager.bulk_create(new, batch_size=self.batch_size)
        if changed:
            fields = sorted({a for r in changed for a in r.values})
            if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                now = timezone.now()
                for r in changed:
                    r.instance.updated_at = now
                fields.append("updated_at")
            rows = [r.instance for r in changed]
            if is_audited(model):
                bulk_update_with_history(
                    rows, model, fields, batch_size=self.batch_size, default_user=self.user
                )
            else:
                model._default_manager.bulk_update(rows, fields, batch_size=self.batch_size)

    def report_invalid(self, plan, result):
        for number in sorted(plan.errors):
            per_column = {
                column: [row_message(number, column, reason) for reason in reasons]
                for column, reasons in plan.errors[number].items()
            }
            result.append_invalid_row(number, plan.raw_rows.get(number, {}), ValidationError(per_column))
            result.totals[RowResult.IMPORT_TYPE_INVALID] += 1

    def report_rows(self, plan, result, dry_run):
        fields = self.get_import_fields()
        for shown, planned in enumerate(plan.rows):
            row_result = self.get_row_result_class()()
            row_result.import_type = planned.import_type
            row_result.number = planned.number
            result.increment_row_result_total(row_result)
            if dry_run and shown >= self.preview_rows:
                result.preview_truncated = True
                continue
            row_result.instance = planned.instance
            row_result.add_instance_info(planned.instance)
            row_result.diff = [self._diff_cell(f, planned) for f in fields]
            result.append_row_result(row_result)

    def _diff_cell(self, f, planned):
        value = planned.values.get(f.attribute, getattr(planned.instance, f.attribute, ""))
        shown = _display(value)
        if f.attribute in planned.changes:
            old, _new = planned.changes[f.attribute]
            return f"{_display(old)} → {shown}"
        return shown


def _reason(exc):
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


def _comparable(value):
    return getattr(value, "pk", value)


def _display(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]
