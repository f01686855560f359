from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo world and its commands; no models."""

    name = "demo"
