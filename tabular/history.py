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
from contextlib import contextmanager, suppress

from simple_history.models import HistoricalRecords, registered_models

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
