"""The beat scheduler: django-celery-beat's, so the office sets times in the
admin, with two additions for broker outages.

Celery's beat moves an entry to its next time before sending it, so a daily
run or the quarterly report falling due while Redis is down would be lost
until its next time (a day, a quarter). Here a run the broker refuses is
kept (:func:`jobs.queue.keep`), and each tick first sends what is kept, so
the jobs catch up within seconds of the broker's return."""

import logging

from django.db import DatabaseError, close_old_connections
from django_celery_beat.schedulers import DatabaseScheduler

from . import queue

logger = logging.getLogger(__name__)


class Scheduler(DatabaseScheduler):
    def apply_entry(self, entry, producer=None):
        logger.info("Scheduler: Sending due task %s (%s)", entry.name, entry.task)
        try:
            self.apply_async(entry, producer=producer, advance=False)
        except Exception as exc:  # the broker refused it: keep the run
            logger.warning("could not send %s; kept to send later: %s", entry.name, exc)
            try:
                queue.keep(entry.task, entry.args, entry.kwargs, error=exc)
            except DatabaseError:
                logger.exception("could not keep %s either", entry.name)

    def tick(self, *args, **kwargs):
        try:
            queue.send_pending(self.app)
        except DatabaseError:
            logger.exception("could not read the kept tasks")
            close_old_connections()  # a lost connection is opened afresh next tick
        return super().tick(*args, **kwargs)
