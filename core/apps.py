import atexit

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        from django.core.signals import request_finished
        from django.db.backends.signals import connection_created

        # Registered on import: the deploy checks (docs/security.md 30), the bounded `in` lookup (docs/security.md 23).
        from . import checks, lookups, pagecache  # noqa: F401

        # Every write, whoever makes it, makes the public pages' cache stale (core/pagecache.py).
        connection_created.connect(pagecache.install)
        request_finished.connect(pagecache.renew_if_stale)
        atexit.register(pagecache.renew_if_stale)
