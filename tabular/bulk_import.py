"""The all-or-nothing spreadsheet import, fast enough for a city's registers.

django-import-export's default path saves row by row (one or more queries per
row, ~500 rows/s here) and its bulk mode cannot tie a database error to a row.
:class:`AllOrNothingResource` keeps the library's resources, widgets and admin
preview/confirm screens but replaces ``import_data``:

1. every row is normalised (spaces, full-width digits, neutralised formulas),
   parsed by its widgets and validated by the model's own ``full_clean`` — the
   same validators the admin forms use — with foreign keys and existing rows
   looked up in bulk, :data:`LOOKUP_CHUNK` rows at a time (a few queries per
   batch, none per row; a name is looked up once per file);
2. existing rows are looked up only among those the importing user may change
   (:meth:`changeable`), unlike the library's instance loader, which reaches
   every row;
3. if any row fails, nothing is written and every failure is reported with its
   sheet row number, column header and reason (in Chinese, with English);
4. otherwise new rows are inserted with ``bulk_create`` (or PostgreSQL's
   ``COPY``, :mod:`tabular.copy_insert`) and changed rows saved with
   ``bulk_update``, in one transaction; for a model that keeps a change
   history, ``bulk_create_with_history`` / ``bulk_update_with_history``, each
   row's history naming the importing user.

A resource with ``stores_preview`` keeps no row of the file in memory: the
preview stores the validated rows compactly beside the upload
(:mod:`tabular.preview_store`) and keeps only the rows it shows; the confirm
writes the stored rows a batch at a time after checking, in the same
transaction, that the rows and foreign keys they rest on have not changed
since (:meth:`AllOrNothingResource.import_stored`). An import without a
preview (``dry_run=False``) goes the same way through a store in memory.

Subclasses declare ``natural_key`` (the attributes that identify a row),
``lookup_fields`` (foreign keys written as a natural key of the related model)
and ``compact_attributes`` (codes and phone numbers), and may override
:meth:`changeable`, :meth:`lookup_queryset`, :meth:`check_rows` and
:meth:`after_write` (what the rows imply in another table, written in the
same transaction).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from itertools import islice
from operator import attrgetter

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import CharField, ForeignKey, TextField
from django.utils import timezone
from import_export import resources
from import_export.exceptions import ImportError as ImportExportError
from import_export.results import Error, RowResult
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .cells import clean_text, compact_code, is_blank, restore_neutralised
from .copy_insert import can_copy, copy_insert
from .history import is_audited
from .preview_store import NOT_THIS_UPLOAD, PreviewRefused, PreviewWriter, StoredPreview
from .selectors import remembered_columns
from .sheet import UNITS, header_key, is_total_row, parse_header, sheet_unit

HEADER_ROWS = 1
# The "row" of an error about the whole file (a column's unit, say).
NON_FIELD_ERRORS_ROW = 0
LOOKUP_CHUNK = 5000
# Rows listed with their errors; the rest are counted.
LISTED_ERROR_ROWS = 50
# Valid values listed in an "unknown name" message when there are few.
LISTED_CHOICES = 40
CENT = Decimal("0.01")


@dataclass
class PlannedRow:
    number: int
    instance: object
    import_type: str
    values: dict
    changes: dict = field(default_factory=dict)
    key: tuple = ()
    # An existing row's stored values (by attname) before the import.
    before: tuple | None = None


@dataclass
class ImportPlan:
    # Every valid row; with a store, only the first ``preview_rows``.
    rows: list = field(default_factory=list)
    errors: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    total_rows: list = field(default_factory=list)  # 合计 / 小计 rows skipped
    headers: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # import type → valid rows
    dataset: object = None  # read again for the cells of failing rows
    written: list = field(default_factory=list)  # the attributes every row sets
    attnames: list = field(default_factory=list)  # their columns
    used: dict = field(default_factory=lambda: defaultdict(set))  # foreign key → pks named

    def add_error(self, number, column, message):
        self.errors[number][column].append(message)

    @property
    def ok(self):
        return not self.errors


def row_message(number, column, reason):
    if number == NON_FIELD_ERRORS_ROW:
        return f"「{column}」列：{reason}"
    if column == NON_FIELD_ERRORS:
        return f"第 {number} 行：{reason}"
    return f"第 {number} 行「{column}」列：{reason}"


def listed_choices(names, total):
    """What an unknown name's message lists: ``可填：A、B、C。``, at most
    :data:`LISTED_CHOICES` of the ``total`` valid names, then how many more
    there are (``…等，另有 2 个未列出。``); nothing when there are none."""
    names = [str(n) for n in names[:LISTED_CHOICES]]
    if not names:
        return ""
    rest = total - len(names)
    more = f"等，另有 {rest} 个未列出" if rest > 0 else ""
    return f"可填：{'、'.join(names)}{more}。"


@dataclass
class HeaderMap:
    """How a file's header row was read: each column's canonical name (or the
    file's own text for a column that is ignored), units and years found in
    headers, and what the preview tells the user about it."""

    columns: list
    ignored: list = field(default_factory=list)  # headers nothing matched
    chosen_ignored: list = field(default_factory=list)  # staff chose to ignore them
    choices: list = field(default_factory=list)  # the columns an unknown header may be mapped to
    reference: list = field(default_factory=list)  # shown by our export, not imported
    renamed: list = field(default_factory=list)  # (file header, our column)
    # (file header, our column or "" for ignored): read as staff chose before
    remembered: list = field(default_factory=list)
    units: dict = field(default_factory=dict)  # column → unit named in the header
    years: dict = field(default_factory=dict)  # column → year prefixed to the header
    problems: list = field(default_factory=list)

    @property
    def remembered_mapped(self):
        return [(header, column) for header, column in self.remembered if column]

    @property
    def to_choose(self):
        """The headers the mapping step offers: ``(header, current choice)``,
        the unknown ones first (choice: ignore), then those remembered."""
        return [(header, "") for header in self.ignored] + self.remembered


class AllOrNothingResource(resources.ModelResource):
    natural_key = ()
    lookup_fields = {}
    compact_attributes = ()
    # Other wordings of a column: {"联系电话": "contact_phone"} (matched after
    # normalising width, spaces, brackets, a leading year and a unit).
    header_aliases = {}
    # Money attributes, stored in 万元; the header's or the sheet's unit converts.
    money_attributes = ()
    # Above this (in 万元, i.e. 1,000 亿元) a figure is refused as implausible.
    money_ceiling = Decimal("10000000")
    # {money attribute: year attribute}: 2025年营业收入 fills the year when the
    # file has no column for it.
    header_year_attributes = {}
    use_fast_path = True
    preview_rows = 1000
    batch_size = 1000
    # Keep the preview's validated rows for its confirm instead of reading
    # the file again (see the module docstring). Only for a resource whose
    # check_rows and write look at no other row: the stored rows are written
    # a batch at a time and check_rows sees only the rows the preview shows.
    stores_preview = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.stores_preview and _overridden(cls, "check_rows"):
            raise TypeError(f"{cls.__name__}: check_rows sees every row only without stores_preview")

    def __init__(self, user=None, column_map=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        # {normalised header: our column, or "" to ignore}: what staff chose
        # for headers the import did not know. None: those remembered for
        # this import kind (tabular.models.ColumnMapping), read once per file.
        self.column_map = column_map

    @classmethod
    def import_kind(cls):
        """What column mappings are remembered under: the imported model's
        label (``enterprises.enterprise``)."""
        return cls._meta.model._meta.label_lower

    def remembered_columns(self):
        if self.column_map is None:
            self.column_map = remembered_columns(self.import_kind())
        return self.column_map

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

    def after_write(self, rows):
        """Write what the rows imply beyond their own table (an enterprise's
        contacts, say), inside the import's transaction, so that it is all or
        nothing with them: called after each batch is written with ``rows``,
        ``(import type, {attname: value})`` of each valid row of the batch,
        new, changed or unchanged (the values the file gives, in the columns
        it has). Default: nothing."""

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

    def import_data(self, dataset, dry_run=False, raise_errors=False, *, preview_store=None, **kwargs):
        """``preview_store`` (a :class:`~tabular.preview_store.PreviewTarget`,
        given by the admin's preview): where a valid dry run's rows are kept
        for the confirm, if the resource ``stores_preview``. The library's
        other options (``use_transactions``, ``collect_failed_rows``,
        ``rollback_on_validation_errors``) go to its own path as they came;
        the fast path is all or nothing in one transaction whatever they say."""
        if not self.use_fast_path:
            return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)
        user = kwargs.get("user") or self.user
        self.user = user
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = len(dataset)
        result.file_name = kwargs.get("file_name")

        header_map = self.map_headers(dataset.headers or [])
        header_map.choices = [f.column_name for f in self.get_import_fields() if not f.readonly]
        self.header_map = header_map
        result.header_map = header_map
        self.sheet_unit = sheet_unit(getattr(dataset, "notes", []))
        if dataset.headers:
            dataset.headers = header_map.columns
        problem = "；".join(header_map.problems) or self.file_problem(dataset, header_map)
        if problem:
            error = ValidationError(problem)
            if raise_errors:
                raise ImportExportError(error)
            result.append_base_error(Error(error))
            return result

        keep = self.stores_preview and (preview_store is not None or not dry_run)
        store = PreviewWriter(self.batch_size) if keep else None
        plan = self.plan(dataset, user, store)
        if not plan.ok:
            self.report_invalid(plan, result)
            if raise_errors:
                first = result.invalid_rows[0]
                raise ImportExportError(first.error, number=first.number)
            return result

        if dry_run and store is not None:
            checksum = preview_store.upload_checksum
            preview_store.save(store.finish(self._preview_header(plan, checksum)))
        elif not dry_run:
            try:
                if store is None:
                    with transaction.atomic(using=self.get_db_connection_name()):
                        self.write(plan)
                else:
                    self.write_stored(StoredPreview(store.finish(self._preview_header(plan, None))))
            except (DatabaseError, PreviewOutdated) as exc:
                error = self._write_error(exc)
                if raise_errors:
                    raise ImportExportError(error) from exc
                result.append_base_error(Error(error))
                return result

        self.report_rows(plan, result, dry_run)
        return result

    def _write_error(self, exc):
        if isinstance(exc, PreviewOutdated) and isinstance(exc.__cause__, DatabaseError):
            exc = exc.__cause__  # refused by the database: say why
        if isinstance(exc, PreviewOutdated):
            return ValidationError(
                "导入期间这些记录被他人修改，已全部撤销，未写入任何数据，请重新导入。"
                " / The records changed during the import; nothing was written."
            )
        return DatabaseError(
            f"写入数据库时出错，已全部撤销，未写入任何数据：{exc}"
            f" / The database refused the import; nothing was written."
        )

    # -- the confirm of a stored preview -------------------------------------

    def preview_context(self, upload_checksum):
        """What a stored preview must have been made for to be confirmed: the
        upload, the user, the resource and its settings."""
        cls = type(self)
        return {
            "resource": f"{cls.__module__}.{cls.__qualname__}",
            "user": getattr(self.user, "pk", None),
            "upload": upload_checksum,
            "column_map": sorted(self.remembered_columns().items()),
            "fixed": repr(sorted(self.fixed_values().items())),
        }

    def _preview_header(self, plan, upload_checksum):
        model = self._meta.model
        lookups = {}
        for attribute, pks in plan.used.items():
            lookups[attribute] = {pk: self._lookup_names[attribute][pk] for pk in pks if pk is not None}
        return {
            "context": self.preview_context(upload_checksum),
            "attributes": plan.written,
            "attnames": [model._meta.get_field(a).attname for a in plan.written],
            "totals": dict(plan.counts),
            "total_rows": plan.total_rows,
            "lookups": lookups,
        }

    def import_stored(self, blob, upload_checksum, user=None, file_name=None):
        """The confirm of a preview stored as ``blob`` for the upload whose
        checksum is ``upload_checksum``: the rows written, one transaction,
        a batch of :attr:`batch_size` at a time.

        Raises :class:`~tabular.preview_store.PreviewRefused` (nothing read
        or written) if the bytes were altered or the preview was made for
        another upload, user, resource or setting. Returns None, having
        written nothing, if the database changed since the preview where
        these rows rest on it (a row of the file added, changed or put out of
        the user's reach; a foreign key gone or renamed): the caller then
        reads and checks the file again, so that any failure names its row and
        column. Otherwise the result, its totals those of the preview."""
        self.user = user or self.user
        preview = StoredPreview(blob)
        if preview.header["context"] != self.preview_context(upload_checksum):
            raise PreviewRefused(NOT_THIS_UPLOAD)
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.file_name = file_name
        try:
            self.write_stored(preview)
        except PreviewOutdated:
            return None
        except DatabaseError as exc:
            result.append_base_error(Error(self._write_error(exc)))
            return result
        for import_type, count in preview.header["totals"].items():
            result.totals[import_type] += count
        result.total_rows_skipped = preview.header["total_rows"]
        return result

    def write_stored(self, preview):
        """Write a stored preview's rows in one transaction; raise
        :class:`PreviewOutdated` (all undone) where the database no longer is
        what the preview saw. Per batch of :attr:`batch_size` rows: one query
        for the existing rows it changes or leaves alone, one ``COPY`` (or
        ``INSERT``) of its new rows and one ``UPDATE``; none per row."""
        header = preview.header
        model = self._meta.model
        using = self.get_db_connection_name()
        attnames, fields = header["attnames"], sorted(header["attributes"])
        # A new row needs no instance unless prepare_new sets something on it
        # or a history row is written for it.
        copy = can_copy(model, using) and not is_audited(model) and not _overridden(self, "prepare_new")
        with transaction.atomic(using=using):
            self._check_lookups(header["lookups"])
            for batch in preview.batches():
                self._write_stored_batch(batch, attnames, fields, copy)

    def _check_lookups(self, stored):
        """The foreign keys the rows name still exist, under the same name,
        within the user's reach: one query per column (per 5,000 keys)."""
        model = self._meta.model
        for attribute, names in stored.items():
            related = model._meta.get_field(attribute).related_model
            match = self.lookup_fields[attribute]
            current = {}
            for chunk in _chunks(sorted(names), LOOKUP_CHUNK):
                queryset = self.lookup_queryset(attribute, related, self.user).filter(pk__in=chunk)
                current.update(queryset.values_list("pk", match))
            if current != names:
                raise PreviewOutdated(attribute)

    def _write_stored_batch(self, batch, attnames, fields, copy):
        new = [row for row in batch if row[1] == RowResult.IMPORT_TYPE_NEW]
        if new and not self._key_is_unique():
            existing, forbidden = self.load_existing({row[3] for row in new}, self.user, related=False)
            if existing or forbidden:
                raise PreviewOutdated("added since the preview")
        changed = []
        current = self._current_rows([row[2] for row in batch if row[1] != RowResult.IMPORT_TYPE_NEW])
        values_of = attrgetter(*attnames) if len(attnames) > 1 else lambda obj: (getattr(obj, attnames[0]),)
        for _number, import_type, pk, key, values, before in batch:
            if import_type == RowResult.IMPORT_TYPE_NEW:
                continue
            instance = current.get(pk)
            seen = values if before is None else before
            if instance is None or self.instance_key(instance) != key or values_of(instance) != seen:
                raise PreviewOutdated(key)
            if import_type == RowResult.IMPORT_TYPE_UPDATE:
                for attname, value in zip(attnames, values, strict=True):
                    setattr(instance, attname, value)
                changed.append(instance)
        try:
            if new and copy:
                using = self.get_db_connection_name()
                copy_insert(self._meta.model, attnames, [row[4] for row in new], using)
                new = []
            else:
                new = [self._new_instance(attnames, row[4]) for row in new]
            self.save_rows(new, changed, fields)
        except IntegrityError as exc:
            # Most likely a row with a new row's key was added since the preview.
            raise PreviewOutdated(exc) from exc
        if _overridden(self, "after_write"):
            self.after_write([(row[1], dict(zip(attnames, row[4], strict=True))) for row in batch])

    def _new_instance(self, attnames, values):
        instance = self._meta.model(**dict(zip(attnames, values, strict=True)))
        self.prepare_new(instance, self.user)
        return instance

    def _current_rows(self, pks):
        """``{pk: instance}`` of the rows ``pks`` the user may still change,
        without their related rows: one query."""
        if not pks:
            return {}
        queryset = self.existing_queryset().select_related(None).filter(pk__in=pks)
        return {instance.pk: instance for instance in self.changeable(queryset, self.user)}

    def _key_is_unique(self):
        """Whether the database itself refuses a second row with a natural key."""
        model = self._meta.model
        names = set(self.natural_key)
        if len(names) == 1 and model._meta.get_field(self.natural_key[0]).unique:
            return True
        return any(set(c.fields) == names for c in model._meta.total_unique_constraints) or any(
            set(together) == names for together in model._meta.unique_together
        )

    def file_problem(self, dataset, header_map):
        """A reason to refuse the whole file before reading its rows, in a
        plain sentence that says which row was taken for the header."""
        missing = self.missing_columns(header_map.columns)
        if not missing:
            return ""
        number = getattr(dataset, "header_row_number", 1)
        found = "、".join(h for h in (dataset.headers or []) if h) or "（空）"
        return (
            f"文件缺少必需的列：{'、'.join(missing)}。第 {number} 行被当作表头，其中的列是：{found}。"
            "请确认表头行包含这些列（列名可带单位或年份，如“2025年营业收入（万元）”），未写入任何数据。"
            f" / Required columns missing: {', '.join(missing)}. Nothing was written."
        )

    def known_headers(self):
        """{normalised header: (canonical column name, imported?)}."""
        if hasattr(self, "_known_headers"):
            return self._known_headers
        model = self._meta.model
        known = {}
        by_attribute = {}
        for f in self.get_import_fields():
            known.setdefault(header_key(f.column_name), (f.column_name, not f.readonly))
            if f.attribute:
                by_attribute[f.attribute] = (f.column_name, not f.readonly)
            if f.attribute and not f.readonly:
                try:
                    verbose = str(model._meta.get_field(f.attribute).verbose_name)
                except Exception:
                    verbose = None
                if verbose:
                    known.setdefault(header_key(verbose), (f.column_name, True))
        for alias, attribute in self.header_aliases.items():
            if attribute in by_attribute:
                known.setdefault(header_key(alias), by_attribute[attribute])
        columns = {column for column, _imported in by_attribute.values()}
        self._remembered_keys = set()
        for key, column in self.remembered_columns().items():
            if column in columns and key not in known:
                known[key] = next(v for v in by_attribute.values() if v[0] == column)
                self._remembered_keys.add(key)
        self._known_headers = known
        return known

    def map_headers(self, headers):
        known = self.known_headers()
        mapped = HeaderMap(columns=[])
        taken = {}
        for header in headers:
            text = clean_text(header) if isinstance(header, str) else ("" if header is None else str(header))
            parsed = parse_header(text)
            key = parsed.key
            match = known.get(key)
            if match is None and key.endswith(")") and "(" in key:
                # 从业人员(人), 职工人数(个): a unit we need not read.
                key = key[: key.rindex("(")]
                match = known.get(key)
            if match is None:
                mapped.columns.append(text)
                if text and self.remembered_columns().get(parsed.key) == "":
                    mapped.chosen_ignored.append(text)
                    mapped.remembered.append((text, ""))
                elif text:
                    mapped.ignored.append(text)
                continue
            column, imported = match
            if column in taken:
                mapped.problems.append(
                    f"「{taken[column]}」和「{text}」两列都对应“{column}”，请删去其中一列后再导入，未写入任何数据。"
                    f" / Two columns both mean “{column}”; remove one."
                )
                mapped.columns.append(text)
                continue
            taken[column] = text
            mapped.columns.append(column)
            if key in self._remembered_keys:
                mapped.remembered.append((text, column))
            elif not imported:
                mapped.reference.append(text)
            elif text != column:
                mapped.renamed.append((text, column))
            if parsed.unit:
                mapped.units[column] = parsed.unit
            if parsed.year:
                mapped.years[column] = parsed.year
        return mapped

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
        if self._is_compact(self._attribute_by_column().get(column)):
            value = compact_code(value)
        return value

    def _is_compact(self, attribute):
        return attribute in self.compact_attributes or (
            attribute in self.lookup_fields and self.lookup_fields[attribute] in self.compact_attributes
        )

    def _cell_normalisers(self, headers):
        """Per column, what :meth:`normalise_cell` does to its cells (called
        as such when a subclass overrides it)."""
        if _overridden(self, "normalise_cell"):
            return [partial(self.normalise_cell, h) for h in headers]
        attributes = self._attribute_by_column()
        return [_compact_cell if self._is_compact(attributes.get(h)) else _text_cell for h in headers]

    def _attribute_by_column(self):
        if not hasattr(self, "_attr_by_col"):
            self._attr_by_col = {f.column_name: f.attribute for f in self.get_import_fields()}
        return self._attr_by_col

    def plan(self, dataset, user, store=None):
        """Validate every row; write nothing.

        The rows are read, looked up and checked :data:`LOOKUP_CHUNK` at a
        time: for each batch one query per foreign-key column (for the names
        not seen in an earlier batch) and one or two for the existing rows
        (:meth:`load_existing`), none per row; only the batch's cells and
        instances are held. Each valid row is
        kept in ``plan.rows``, or, with ``store`` (a
        :class:`~tabular.preview_store.PreviewWriter`), added to it compactly
        (only the first :attr:`preview_rows` kept as well, for the preview)."""
        headers = [clean_text(h) if isinstance(h, str) else h for h in dataset.headers]
        fields = self.import_fields_present(headers)
        plan = ImportPlan(headers=headers, dataset=dataset)
        self._prepare_units(fields, plan)
        self._fixed = self.fixed_values()
        self._lookup_cache, self._lookup_names = {}, {}
        seen_keys = {}
        rows = self._data_rows(dataset, headers, plan)
        while batch := list(islice(rows, LOOKUP_CHUNK)):
            lookups = self._load_lookups(fields, batch, user, plan)
            parsed = self._parse_batch(batch, fields, lookups, seen_keys, plan)
            del batch
            self._check_batch(parsed, user, plan, store)
        if plan.ok:
            self.check_rows(plan, user)
        return plan

    def _data_rows(self, dataset, headers, plan):
        """``(sheet row number, {column: normalised cell})`` of every row that
        is neither blank nor a total."""
        normalisers = self._cell_normalisers(headers)
        for number, values in _numbered(dataset):
            row = {h: normalise(v) for h, normalise, v in zip(headers, normalisers, values, strict=False)}
            if all(v is None or v == "" for v in row.values()):
                continue
            if is_total_row(values):
                plan.total_rows.append(number)
                continue
            yield number, row

    def _parse_batch(self, batch, fields, lookups, seen_keys, plan):
        """Pass 1: cells parsed (foreign keys from ``lookups``), the natural
        key present and not repeated in the file."""
        parsed = []
        specs = self._field_specs(fields)
        for number, row in batch:
            values = self._parse_row(number, row, specs, lookups, plan)
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
        return parsed

    def _check_batch(self, parsed, user, plan, store):
        """Pass 2: the existing rows, only among those the user may change.
        Pass 3: instances built and checked by the model's own validation."""
        model = self._meta.model
        existing, forbidden = self.load_existing({key for _, _, key in parsed}, user)
        fk_attributes = {f.name for f in model._meta.concrete_fields if isinstance(f, ForeignKey)}
        required_fk = [
            (f.name, f.attname) for f in map(model._meta.get_field, sorted(fk_attributes)) if not f.null
        ]
        for number, values, key in parsed:
            if key in forbidden:
                plan.add_error(
                    number,
                    self._column_of(self.natural_key[0]),
                    "该记录已存在，但不在您有权修改的范围内。"
                    " / This record exists but is outside what you may change.",
                )
                continue
            if not plan.written:
                plan.written = list(values)
                plan.attnames = [model._meta.get_field(a).attname for a in plan.written]
            attnames = plan.attnames
            instance = existing.get(key)
            if instance is None:
                instance = model()
                import_type = RowResult.IMPORT_TYPE_NEW
                before = None
            else:
                import_type = RowResult.IMPORT_TYPE_UPDATE
                before = tuple(getattr(instance, a) for a in attnames)
            for attribute, value in values.items():
                setattr(instance, attribute, value)
            if import_type == RowResult.IMPORT_TYPE_NEW:
                self.prepare_new(instance, user)

            missing_fk = [a for a, attname in required_fk if getattr(instance, attname) is None]
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
                after = tuple(getattr(instance, a) for a in attnames)
                compared = zip(plan.written, before, after, strict=True)
                changes = {a: (old, new) for a, old, new in compared if old != new}
                if not changes:
                    import_type = RowResult.IMPORT_TYPE_SKIP
            planned = PlannedRow(number, instance, import_type, values, changes, key, before)
            self._keep(planned, plan, store)

    def _keep(self, planned, plan, store):
        plan.counts[planned.import_type] += 1
        if store is None:
            plan.rows.append(planned)
            return
        if len(plan.rows) < self.preview_rows:
            plan.rows.append(planned)
        instance = planned.instance
        values = tuple(getattr(instance, a) for a in plan.attnames)
        for attribute, attname in zip(plan.written, plan.attnames, strict=True):
            if attribute in self.lookup_fields:
                plan.used[attribute].add(getattr(instance, attname))
        before = None if planned.import_type == RowResult.IMPORT_TYPE_SKIP else planned.before
        store.add((planned.number, planned.import_type, instance.pk, planned.key, values, before))

    def _prepare_units(self, fields, plan):
        """Each money column's factor to 万元, from its header's unit or else
        the sheet's ``单位：X`` note; a header and a note that disagree refuse
        the file (the figures' unit is then unknown)."""
        self._factors, self._header_years = {}, {}
        header_map = getattr(self, "header_map", None) or HeaderMap(columns=[])
        present = {f.attribute for f in fields}
        for f in fields:
            if f.attribute not in self.money_attributes:
                continue
            unit = header_map.units.get(f.column_name)
            note = getattr(self, "sheet_unit", None)
            if unit and note and unit != note:
                plan.add_error(
                    NON_FIELD_ERRORS_ROW,
                    f.column_name,
                    f"表头写的单位是{unit}，表格上方注明“单位：{note}”，两者不一致，无法确定金额的单位。"
                    f"请改正其中之一后再导入。 / The header says {unit} but the note says {note}.",
                )
            self._factors[f.attribute] = (UNITS[unit or note or "万元"], unit or note or "万元")
            year = header_map.years.get(f.column_name)
            target = self.header_year_attributes.get(f.attribute)
            if year and target and target not in present:
                self._header_years[target] = (year, f.attribute)

    def _field_specs(self, fields):
        """Per imported field, once per file: ``(field, is a foreign key,
        None or whether its text column is nullable, (factor, unit) or None)``."""
        model = self._meta.model
        specs = []
        for f in fields:
            try:
                model_field = model._meta.get_field(f.attribute)
            except Exception:
                model_field = None
            text_null = model_field.null if isinstance(model_field, CharField | TextField) else None
            specs.append((f, f.attribute in self.lookup_fields, text_null, self._factors.get(f.attribute)))
        return specs

    def _parse_row(self, number, row, specs, lookups, plan):
        values = dict(self._fixed)
        for f, is_lookup, text_null, money in specs:
            raw = row.get(f.column_name)
            if is_lookup:
                # Unknown values were reported by _load_lookups.
                found = lookups[f.attribute]
                values[f.attribute] = None if is_blank(raw) else found.get(self._canonical(f, raw))
                continue
            try:
                value = f.widget.clean(raw, row=row)
            except (ValueError, ValidationError) as exc:
                plan.add_error(number, f.column_name, _reason(exc))
                continue
            if text_null is not None:
                # A blank cell is an empty text, never NULL (text columns are NOT NULL).
                if value is None:
                    value = None if text_null else ""
                elif not isinstance(value, str):
                    value = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
            if money is not None and value is not None:
                factor, unit = money
                if factor != 1:
                    value = (Decimal(value) * factor).quantize(CENT, rounding=ROUND_HALF_UP)
                if value > self.money_ceiling:
                    plan.add_error(
                        number,
                        f.column_name,
                        f"“{raw}”{unit}折合 {value} 万元（约 {value / 10000:.0f} 亿元），不合常理，"
                        "请确认金额和单位（元、千元、万元）。"
                        f" / {raw} {unit} is implausibly large; check the unit.",
                    )
                    continue
            values[f.attribute] = value
        for target, (year, money) in self._header_years.items():
            # 2025年营业收入: the year of the figure, where there is one.
            values[target] = year if values.get(money) is not None else None
        return values

    def lookup_aliases(self, attribute):
        """{another name: the name the lookup matches} for a foreign-key
        column (a place's short form, say). Default: none."""
        return {}

    def _canonical(self, f, raw):
        if not hasattr(self, "_alias_cache"):
            self._alias_cache = {}
        if f.attribute not in self._alias_cache:
            self._alias_cache[f.attribute] = self.lookup_aliases(f.attribute)
        return self._alias_cache[f.attribute].get(raw, raw)

    def key_of(self, values):
        return tuple(_comparable(values.get(a)) for a in self.natural_key)

    def instance_key(self, instance):
        model = self._meta.model
        return tuple(getattr(instance, model._meta.get_field(a).attname) for a in self.natural_key)

    def load_existing(self, keys, user, related=True):
        """``({key: instance the user may change}, {keys that exist beyond that})``:
        per 5,000 keys one query, and one more if :meth:`changeable` narrows
        it. ``related=False``: without the related rows
        :meth:`existing_queryset` may select for the preview."""
        model = self._meta.model
        attnames = [model._meta.get_field(a).attname for a in self.natural_key]
        existing, anywhere = {}, set()
        firsts = sorted({key[0] for key in keys}, key=str)
        queryset = self.existing_queryset()
        if not related:
            queryset = queryset.select_related(None)
        for chunk in _chunks(firsts, LOOKUP_CHUNK):
            base = queryset.filter(**{f"{attnames[0]}__in": chunk})
            scoped = self.changeable(base, user)
            for instance in scoped:
                key = self.instance_key(instance)
                if key in keys:
                    existing[key] = instance
            if scoped is base:
                continue  # every row the user may change: none beyond
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
        """Each foreign-key column's names in ``rows`` (a batch) resolved,
        within what the user may use: one query per column for the names no
        earlier batch of the file asked for (per 5,000 of them); unknown names
        reported with the valid ones, when there are few."""
        model = self._meta.model
        for f in fields:
            if f.attribute not in self.lookup_fields:
                continue
            match = self.lookup_fields[f.attribute]
            related = model._meta.get_field(f.attribute).related_model
            cache = self._lookup_cache.setdefault(
                f.attribute, {"found": {}, "unknown": set(), "outside": set()}
            )
            found, unknown, outside = cache["found"], cache["unknown"], cache["outside"]
            names = self._lookup_names.setdefault(f.attribute, {})
            canonical = [(number, row, self._canonical(f, row.get(f.column_name))) for number, row in rows]
            wanted = {value for _, _, value in canonical} - {None, ""} - found.keys() - unknown
            for chunk in _chunks(sorted(wanted, key=str), LOOKUP_CHUNK):
                queryset = self.lookup_queryset(f.attribute, related, user).filter(**{f"{match}__in": chunk})
                for obj in queryset:
                    found[getattr(obj, match)] = obj
                    names[obj.pk] = getattr(obj, match)
            new_unknown = wanted - found.keys()
            for chunk in _chunks(sorted(new_unknown, key=str), LOOKUP_CHUNK):
                outside.update(
                    related._default_manager.filter(**{f"{match}__in": chunk}).values_list(match, flat=True)
                )
            unknown |= new_unknown
            if not unknown:
                continue
            label = str(related._meta.verbose_name)
            if unknown - outside and "choices" not in cache and match == "name":  # names, not codes
                valid = self.lookup_queryset(f.attribute, related, user)
                names = list(valid.values_list(match, flat=True)[:LISTED_CHOICES])
                cache["choices"] = listed_choices(
                    names, valid.count() if len(names) == LISTED_CHOICES else len(names)
                )
            for number, row, value in canonical:
                if value not in unknown:
                    continue
                if value in outside:
                    reason = (
                        f"{label}“{value}”不在您有权使用的范围内。"
                        f" / {label} “{value}” is outside what you may use."
                    )
                else:
                    reason = (
                        f"找不到{label}“{row.get(f.column_name)}”。{cache.get('choices', '')}"
                        f" / No {label} “{value}” found."
                    )
                plan.add_error(number, f.column_name, reason)
        return {attribute: cache["found"] for attribute, cache in self._lookup_cache.items()}

    def write(self, plan):
        new = [r.instance for r in plan.rows if r.import_type == RowResult.IMPORT_TYPE_NEW]
        changed = [r for r in plan.rows if r.import_type == RowResult.IMPORT_TYPE_UPDATE]
        fields = sorted({a for r in changed for a in r.values})
        self.save_rows(new, [r.instance for r in changed], fields)
        if _overridden(self, "after_write"):
            for batch in _chunks(plan.rows, self.batch_size):
                self.after_write(
                    [(r.import_type, {a: getattr(r.instance, a) for a in plan.attnames}) for r in batch]
                )

    def save_rows(self, new, changed, fields):
        """Insert the ``new`` instances and update ``fields`` of the
        ``changed`` ones; for a model that keeps a change history, a history
        row per row, naming the importing user."""
        model = self._meta.model
        if new:
            if is_audited(model):
                bulk_create_with_history(new, model, batch_size=self.batch_size, default_user=self.user)
            else:
                model._default_manager.bulk_create(new, batch_size=self.batch_size)
        if changed:
            fields = list(fields)
            if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                now = timezone.now()
                for instance in changed:
                    instance.updated_at = now
                fields.append("updated_at")
            if is_audited(model):
                bulk_update_with_history(
                    changed, model, fields, batch_size=self.batch_size, default_user=self.user
                )
            else:
                model._default_manager.bulk_update(changed, fields, batch_size=self.batch_size)

    def report_invalid(self, plan, result):
        """Every failing row counted; the first :data:`LISTED_ERROR_ROWS`
        listed (their cells, read again from the file, under the preview's
        own headers), the rest summed up in ``result.more_error_rows``."""
        headers = result.diff_headers
        numbers = sorted(plan.errors)
        listed = set(numbers[:LISTED_ERROR_ROWS])
        result.more_error_rows = max(0, len(numbers) - LISTED_ERROR_ROWS)
        result.total_rows_skipped = plan.total_rows
        cells = {number: values for number, values in _numbered(plan.dataset) if number in listed}
        for number in numbers:
            result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
            if number not in listed:
                continue
            per_column = {
                column: [row_message(number, column, reason) for reason in reasons]
                for column, reasons in plan.errors[number].items()
            }
            raw = dict(zip(plan.headers, cells.get(number, ()), strict=False))
            shown = {h: _display(raw.get(h)) for h in headers}
            result.append_invalid_row(number, shown, ValidationError(per_column))

    def report_rows(self, plan, result, dry_run):
        """The totals; for a preview, the first :attr:`preview_rows` rows with
        their diffs. A confirm reports no row: the admin logs one entry per
        import (:meth:`tabular.admin.SpreadsheetAdmin.generate_log_entries`)."""
        result.total_rows_skipped = plan.total_rows
        for import_type, count in plan.counts.items():
            result.totals[import_type] += count
        if not dry_run:
            return
        fields = self.get_import_fields()
        shown = plan.rows[: self.preview_rows]
        result.preview_truncated = sum(plan.counts.values()) > len(shown)
        for planned in shown:
            row_result = self.get_row_result_class()()
            row_result.import_type = planned.import_type
            row_result.number = planned.number
            row_result.instance = planned.instance
            row_result.add_instance_info(planned.instance)
            row_result.diff = [self._diff_cell(f, planned) for f in fields]
            result.append_row_result(row_result)

    def _diff_cell(self, f, planned):
        if f.attribute in planned.values:
            value = planned.values[f.attribute]
        else:
            value = _follow(planned.instance, f.attribute)
        shown = self._shown(f, value)
        if f.attribute in planned.changes:
            old, _new = planned.changes[f.attribute]
            if f.attribute in self.lookup_fields and old is not None:
                related = self._meta.model._meta.get_field(f.attribute).related_model
                old_obj = related._default_manager.filter(pk=old).first()
                old = getattr(old_obj, self.lookup_fields[f.attribute], old) if old_obj else old
            return f"{self._shown(f, old)} → {shown}"
        return shown

    def _shown(self, f, value):
        """A cell as the sheet writes it: a foreign key by the natural key the
        column takes (the credit code, not the company's name), a choice by
        its label."""
        if f.attribute in self.lookup_fields and hasattr(value, "pk"):
            value = getattr(value, self.lookup_fields[f.attribute])
        elif hasattr(f.widget, "choices") and isinstance(value, str):
            value = f.widget.render(value)
        return _display(value)


def _overridden(resource, name):
    """Whether a resource (class or instance) replaces the hook ``name``."""
    cls = resource if isinstance(resource, type) else type(resource)
    return getattr(cls, name) is not getattr(AllOrNothingResource, name)


class PreviewOutdated(Exception):
    """The database changed, since the preview, where its rows rest on it."""


def _numbered(dataset):
    """``(sheet row number, cells)`` of each data row. A dataset rebuilt from
    another layout (Attachment 2) names its rows in ``row_numbers``."""
    numbers = getattr(dataset, "row_numbers", None)
    first = getattr(dataset, "first_row_number", HEADER_ROWS + 1)
    for index, values in enumerate(dataset):
        yield (numbers[index] if numbers else first + index), values


_ODD_EDGES = "\u200b\ufeff"  # what str.strip() leaves and clean_text takes off


def _text_cell(value):
    """:func:`restore_neutralised` of :func:`clean_text`, the common cases inline."""
    if value.__class__ is not str:
        return value
    text = value.strip()
    if text and (text[0] in _ODD_EDGES or text[-1] in _ODD_EDGES):
        text = clean_text(text)
    if len(text) > 1 and text[0] == "'":
        text = restore_neutralised(text)
    return text


def _compact_cell(value):
    return compact_code(_text_cell(value))


def _follow(instance, attribute):
    """``enterprise__name`` or ``get_category_display`` on an instance."""
    value = instance
    for part in (attribute or "").split("__"):
        if value is None:
            return None
        try:
            value = getattr(value, part)
        except Exception:
            return None
    return value() if callable(value) else value


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
