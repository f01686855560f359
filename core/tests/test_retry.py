"""docs/security.md 28: on PostgreSQL, a write request that loses a deadlock is run again, not a 500."""

import threading

import pytest
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from core.middleware import RetryOnConflictMiddleware
from people.models import TargetGroup

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="deadlocks are PostgreSQL's (SQLite writers queue)"
)


@pytest.fixture
def two_rows(django_db_setup, django_db_blocker):
    """Two committed rows that other connections see (deleted afterwards; the shared world stays)."""
    with django_db_blocker.unblock():
        rows = [TargetGroup.objects.create(code=f"verrou-{n}", name="verrou").pk for n in (1, 2)]
        try:
            yield rows
        finally:
            TargetGroup.objects.filter(pk__in=rows).delete()


def _crossing_views(rows):
    """Two views locking the same two rows in opposite orders, meeting after their first lock."""
    first, second = rows
    met = threading.Barrier(2)
    calls = []

    def view(request, order):
        calls.append(order)
        with transaction.atomic():
            TargetGroup.objects.select_for_update().get(pk=order[0])
            if calls.count(order) == 1:  # the first attempt waits for the other one to lock too
                met.wait(timeout=10)
            TargetGroup.objects.select_for_update().get(pk=order[1])
        return HttpResponse("ok")

    return view, [(first, second), (second, first)], calls


def _run_both(handle, orders):
    outcomes = {}

    def run(order):
        try:
            outcomes[order] = handle(order).status_code
        except Exception as exc:
            outcomes[order] = type(exc).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_the_deadlocks_victim_is_run_again_and_both_writes_succeed(two_rows):
    view, orders, calls = _crossing_views(two_rows)
    middleware = RetryOnConflictMiddleware(lambda request: HttpResponse())

    def handle(order):
        request = RequestFactory().post("/")
        return middleware.process_view(request, view, (), {"order": order})

    assert _run_both(handle, orders) == dict.fromkeys(orders, 200)
    assert len(calls) == 3  # one of them ran twice


def test_without_the_retry_the_deadlock_is_an_error(two_rows):
    """The situation the middleware exists for: PostgreSQL aborts one of the two."""
    view, orders, _calls = _crossing_views(two_rows)
    outcomes = _run_both(lambda order: view(RequestFactory().post("/"), order), orders)
    assert sorted(map(str, outcomes.values())) == ["200", "OperationalError"]
