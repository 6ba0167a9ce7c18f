"""The Celery application.

With ``CELERY_BROKER_URL`` unset (the laptop demo) settings make tasks run
eagerly in-process; with it set, tasks go through Redis to a worker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxiang_liaison.settings")

app = Celery("tongxiang_liaison")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
