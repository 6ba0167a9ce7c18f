"""Who acted, for the change history (django-simple-history).

A history row takes its user from, in order: the instance's
``_history_user`` (the admin's ``SimpleHistoryAdmin.save_model`` sets it),
then the request the ``HistoryRequestMiddleware`` exposes on
``HistoricalRecords.context``. Outside a request (an import run by a job, a
Celery task, a management command, the demo) there is none, and the row
names nobody.

The services name who acts (``by``), so they say it to the history too:
:func:`acting_as` puts a stand-in request carrying that user on
``HistoricalRecords.context`` for the duration of the call (the real request,
if any, is put back afterwards), and :func:`records_history_by` does this for
a whole service from its ``by`` argument. Every save, delete and
``bulk_*_with_history`` inside then names that user, whether or not a
request is in flight. The bottom layer, so any app may use it; it knows no
domain model.
"""

import functools
import inspect
from collections import defaultdict
from contextlib import contextmanager, suppress

from django.db import transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords, registered_models

from .bulk import bulk_update, insert_rows

_MISSING = object()


class _ActingRequest:
    """What ``HistoricalRecords.get_history_user`` reads of a request: ``user``."""

    def __init__(self, user):
        self.user = user


@contextmanager
def acting_as(user):
    """History rows written inside name ``user``; ``None`` changes nothing
    (the request's user, if any, is kept)."""
    if user is None or not getattr(user, "is_authenticated", False):
        yield
        return
    context = HistoricalRecords.context
    previous = getattr(context, "request", _MISSING)
    context.request = _ActingRequest(user)
    try:
        yield
    finally:
        if previous is _MISSING:
            with suppress(AttributeError):
                del context.request
        else:
            context.request = previous


def acting_user():
    """The user history rows written now would name, or None."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def records_history_by(argument="by"):
    """Decorate a service so that the history rows it writes name the user
    passed as ``argument`` (keyword or positional)."""

    def decorate(service):
        signature = inspect.signature(service)

        @functools.wraps(service)
        def wrapper(*args, **kwargs):
            bound = signature.bind_partial(*args, **kwargs)
            with acting_as(bound.arguments.get(argument)):
                return service(*args, **kwargs)

        wrapper.records_history_by = argument  # the mark tests look for
        return wrapper

    return decorate


def is_audited(model):
    """Whether ``model`` keeps a change history (has ``HistoricalRecords``)."""
    return hasattr(model._meta, "simple_history_manager_attribute")


def history_of(model):
    """The model's history manager (``Model.history``)."""
    return getattr(model, model._meta.simple_history_manager_attribute)


def audited_models():
    """Every model that keeps a change history, from simple_history's registry
    (m2m through tables excluded): the list the history tests walk."""
    return sorted(
        {model for model in registered_models.values() if is_audited(model)},
        key=lambda model: model._meta.label,
    )


def bulk_update_with_history(objs, model, fields, *, batch_size=1000, default_user=None):
    """``simple_history.utils.bulk_update_with_history`` (the rows, then one
    ``~`` history row each, in one transaction), the rows written by the fast
    :func:`tabular.bulk.bulk_update`."""
    objs = list(objs)
    with transaction.atomic(savepoint=False):
        updated = bulk_update(model, objs, fields, batch_size=batch_size)
        history_of(model).bulk_history_create(
            objs, batch_size=batch_size, update=True, default_user=default_user
        )
    return updated


class PendingHistory:
    """The history rows of writes made in memory first and inserted in bulk
    later (the demo's and the benchmarks' worlds at city scale): the rows a
    ``save()`` at each of those moments would have left.

    Call :meth:`saved` where a service would save (``created``: its first
    save), then :meth:`write` once the rows themselves are inserted and have
    their keys. Each history row holds the row as it was at that moment, the
    ``auto_now`` times set as a save sets them, no change reason (a save
    gives none) and names ``user`` (else whoever :func:`acting_user` is).
    ``+`` rows are written before ``~`` rows, each kind in the order of the
    moments, so every object's history reads in its own order. The columns
    are simple_history's (``bulk_history_create`` builds the same rows from
    model instances; this keeps plain values, a tenth of the memory)."""

    def __init__(self):
        self.moments = defaultdict(list)  # (model, history type) → [(row, values, user, time)]
        self.tracked = {}  # model → its tracked fields

    def _fields(self, model):
        if model not in self.tracked:
            self.tracked[model] = [
                model._meta.get_field(f.name) for f in history_of(model).model.tracked_fields
            ]
        return self.tracked[model]

    def saved(self, obj, *, created=False, user=None):
        model, now = type(obj), timezone.now()
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or (created and getattr(field, "auto_now_add", False)):
                setattr(obj, field.attname, now)
        values = [getattr(obj, f.attname) for f in self._fields(model)]
        user = user or acting_user()
        self.moments[model, "+" if created else "~"].append((obj, values, user and user.pk, now))

    def write(self):
        for history_type in ("+", "~"):
            for (model, kind), moments in list(self.moments.items()):
                if kind == history_type:
                    self._write(model, kind, moments)
        self.moments.clear()

    def _write(self, model, kind, moments):
        fields = self._fields(model)
        late = [  # a key the row had not yet at that moment: the row's own, a related row inserted since
            (n, f) for n, f in enumerate(fields) if f.primary_key or f.is_relation
        ]
        rows = []
        for obj, values, user_id, when in moments:
            for n, field in late:
                if values[n] is not None:
                    continue
                if field.primary_key:
                    values[n] = obj.pk
                elif field.is_cached(obj) and field.get_cached_value(obj) is not None:
                    values[n] = getattr(field.get_cached_value(obj), field.target_field.attname)
            rows.append([*values, when, None, kind, user_id])
        insert_rows(
            history_of(model).model,
            [
                *(f.attname for f in fields),
                "history_date",
                "history_change_reason",
                "history_type",
                "history_user_id",
            ],
            rows,
        )
