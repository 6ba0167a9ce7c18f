"""WSGI entry point for gunicorn: ``gunicorn tongxiang_liaison.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxiang_liaison.settings")

application = get_wsgi_application()
