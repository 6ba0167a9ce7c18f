"""Sending tasks to the broker, and keeping them when it is down.

A task the broker refuses is not lost: it is kept as a :class:`PendingTask`
row, and the beat scheduler (:mod:`jobs.beat`) sends what is kept once the
broker answers again. Pages never fail because Redis is down."""

import hashlib
import json
import logging

from django.db import transaction
from django.db.models import F
from kombu.exceptions import OperationalError

from .models import PendingTask

logger = logging.getLogger(__name__)

# The broker refuses a connection: Redis down, network error.
BROKER_ERRORS = (OperationalError, OSError)


def enqueue(task, *args, countdown=None, **kwargs) -> bool:
    """Send ``task`` once the transaction commits (to run ``countdown``
    seconds later, if given; at once in the eager mode). Returns False when the
    broker refused it and it was kept to be sent later, so the page can say
    so; a task failing in the eager (laptop) mode is logged, not kept."""
    outcome = {"sent": True}

    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs, countdown=countdown)
        except BROKER_ERRORS as exc:
            logger.warning("broker refused %s; kept to send later: %s", task.name, exc)
            keep(task.name, args, kwargs, error=exc)
            outcome["sent"] = False
        except Exception:  # an eager task's own failure: logged, the page carries on
            logger.exception("task %s failed", task.name)
            outcome["sent"] = False

    transaction.on_commit(send)
    return outcome["sent"]


def keep(task_name, args=(), kwargs=None, *, error=None):
    """Keep a task the broker refused. The same task with the same arguments
    is kept once, however often it is asked for during the outage."""
    args, kwargs = list(args or ()), dict(kwargs or {})
    key = hashlib.sha256(json.dumps([task_name, args, kwargs], sort_keys=True, default=str).encode())
    PendingTask.objects.update_or_create(
        key=key.hexdigest(),
        defaults={"task": task_name, "args": args, "kwargs": kwargs, "last_error": str(error or "")[:500]},
    )


def send_pending(app, limit=100) -> int:
    """Send what was kept through ``app`` (the beat's Celery app), oldest
    first, and stop at the first refusal (the broker is still down).

    Rows are claimed with row locks that skip rows another sender holds, so a
    second scheduler never sends a row twice; a row is deleted in the
    transaction that sent it (a crash between the send and the commit sends
    it again: the tasks are safe to run twice). Returns how many went."""
    if not PendingTask.objects.exists():
        return 0
    sent = 0
    with transaction.atomic():
        rows = list(PendingTask.objects.select_for_update(skip_locked=True).order_by("pk")[:limit])
        for row in rows:
            try:
                app.send_task(row.task, args=row.args, kwargs=row.kwargs)
            except BROKER_ERRORS as exc:
                PendingTask.objects.filter(pk=row.pk).update(
                    attempts=F("attempts") + 1, last_error=str(exc)[:500]
                )
                break
            row.delete()
            sent += 1
    if sent:
        logger.info("sent %d kept tasks", sent)
    return sent
