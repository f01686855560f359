from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        # Registered on import: the deploy checks (SECURITY.md 30), the bounded `in` lookup (SECURITY.md 23).
        from . import checks, lookups  # noqa: F401
