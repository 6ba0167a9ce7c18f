from django.apps import AppConfig


class MultiplicationConfig(AppConfig):
    name = "multiplication"
