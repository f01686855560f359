"""Public pages are served to visitors from a cache that every committed write invalidates, in
every process (core/pagecache.py; issue 14, item 10)."""

import datetime
import gzip
import time

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from activities import actions
from activities.models import Activity
from core import pagecache
from portal import published


@pytest.fixture
def cache_on(settings):
    settings.PAGE_CACHE = True
    pagecache._pages.clear()
    pagecache._seen.update(token="", at=-pagecache.CHECK_SECONDS)
    yield
    pagecache._pages.clear()
    pagecache._seen.update(token="", at=-pagecache.CHECK_SECONDS)


def test_a_write_is_shown_at_the_next_read(world, partnership, cache_on, django_capture_on_commit_callbacks):
    url = reverse("portal:activities", kwargs={"slug": partnership.slug}) + "?annee=2024"
    visitor = Client()
    before = visitor.get(url).content.decode()
    assert f'<td class="num">{published.activities_by_month(partnership, 2024)["total"]}</td>' in before
    assert visitor.get(url).content.decode() == before  # served again, from the cache
    generation = pagecache.generation()
    added = 12  # a month with nothing held becomes a month with 12: no small-count mask
    with django_capture_on_commit_callbacks(execute=True):  # the write commits
        for day in range(1, added + 1):
            actions.create_activity(
                Activity(
                    partnership=partnership,
                    kind="atelier",
                    title=f"Atelier {day}",
                    date=datetime.date(2024, 8, day),
                )
            )
    assert caches["default"].get(pagecache.GENERATION_KEY) != generation  # what other workers read
    total = f'<td class="num">{published.activities_by_month(partnership, 2024)["total"]}</td></tr></tfoot>'
    assert total not in before
    assert total in visitor.get(url).content.decode()  # the new figure, at once


def test_an_uncommitted_write_leaves_the_kept_page(world, partnership, cache_on):
    url = reverse("portal:home", kwargs={"slug": partnership.slug})
    visitor = Client()
    first = visitor.get(url).content
    partnership.name = "Nom changé mais pas encore validé"
    partnership.save()  # inside the test's transaction: never committed, so no new generation
    assert visitor.get(url).content == first


def test_pages_are_kept_per_language_and_compressed(world, partnership, cache_on):
    url = reverse("portal:home", kwargs={"slug": partnership.slug})
    french = Client().get(url, headers={"accept-language": "fr"})
    arabic = Client().get(url, headers={"accept-language": "ar", "accept-encoding": "gzip"})
    assert french.get("Content-Encoding") is None and 'lang="fr"' in french.content.decode()
    assert arabic["Content-Encoding"] == "gzip"
    assert 'lang="ar" dir="rtl"' in gzip.decompress(arabic.content).decode()
    assert "Accept-Encoding" in arabic["Vary"]


def test_a_signed_in_user_never_gets_a_kept_page(world, partnership, cache_on, client_for):
    url = reverse("portal:home", kwargs={"slug": partnership.slug})
    Client().get(url)  # kept for visitors
    user = client_for("coordination").get(url, headers={"accept-encoding": "gzip"})
    assert user.get("Content-Encoding") is None  # never compressed: the page holds a CSRF token
    html = user.content.decode()
    assert "csrfmiddlewaretoken" in html and reverse("accounts:logout") in html


def test_a_write_by_another_process_is_shown_within_half_a_second(world, partnership, cache_on):
    url = reverse("portal:home", kwargs={"slug": partnership.slug})
    first = Client().get(url).content
    partnership.name = "Partenariat renommé ailleurs"
    partnership.save()
    caches["default"].set(pagecache.GENERATION_KEY, "made-by-another-worker", None)  # its commit
    time.sleep(pagecache.CHECK_SECONDS)
    shown = Client().get(url).content
    assert shown != first and "Partenariat renommé ailleurs" in shown.decode()


def test_the_front_door_is_kept_too(world, cache_on, django_assert_num_queries):
    Client().get("/")
    with django_assert_num_queries(0):  # a kept page, a token read less than half a second ago
        assert Client().get("/").status_code == 200
