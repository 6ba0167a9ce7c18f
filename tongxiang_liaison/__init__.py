"""Tongxiang 干部联千企、服务助转型 liaison system (notice 桐群组办发〔2014〕15号)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
