"""Enqueue a task after the current transaction commits, and never let a
broker outage become a server error: the failure is logged and reported."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> bool:
    """Send ``task`` once the transaction commits. Returns False (and logs)
    when the broker refuses it, so the caller can say so on the page."""
    outcome = {"ok": True}

    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:  # Redis down, network error: log, don't crash the page
            logger.exception("could not enqueue %s", task.name)
            outcome["ok"] = False

    transaction.on_commit(send)
    return outcome["ok"]
