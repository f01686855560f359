"""`/` is the front door: a visitor reaches the public portals, the youth forums open now and the
good practices without signing in; each persona's home leads to her main pages (issue 14, item 2)."""

from django.test import Client
from django.urls import reverse

from demo import participation as forums_demo
from participation.models import Forum
from portal.models import GoodPractice


def test_a_visitor_finds_the_portal_the_open_forums_and_the_good_practices(world, client, partnership):
    response = client.get("/")
    assert response.status_code == 200  # no detour by the login page
    html = response.content.decode()
    slug = partnership.slug
    assert reverse("portal:home", kwargs={"slug": slug}) in html
    assert reverse("portal:practices", kwargs={"slug": slug}) in html
    open_forum = Forum.objects.get(partnership=partnership, slug=forums_demo.OPEN_FORUM)
    voting = Forum.objects.get(partnership=partnership, slug="forum-2026")
    closed = Forum.objects.get(partnership=partnership, slug="forum-2024")
    assert reverse("forums:propose", kwargs={"slug": slug, "pk": open_forum.pk}) in html
    assert reverse("forums:vote", kwargs={"slug": slug, "pk": voting.pk}) in html
    assert reverse("forums:forum", kwargs={"slug": slug, "pk": closed.pk}) not in html
    practice = GoodPractice.objects.public().filter(partnership=partnership).first()
    assert reverse("portal:practice", kwargs={"slug": slug, "pk": practice.pk}) in html
    assert reverse("accounts:login") in html
    assert "csrfmiddlewaretoken" not in html  # a shared, cached page holds no secret


def test_the_open_forum_takes_a_proposal_from_the_front_door(world, client, partnership):
    open_forum = Forum.objects.get(partnership=partnership, slug=forums_demo.OPEN_FORUM)
    page = client.get(reverse("forums:propose", kwargs={"slug": partnership.slug, "pk": open_forum.pk}))
    assert page.status_code == 200 and "<form" in page.content.decode()


def test_the_404_page_leads_back_to_the_front_door_not_the_login_page(world, client):
    missing = client.get("/nulle-part/")
    assert missing.status_code == 404
    assert 'href="/"' in missing.content.decode()
    assert client.get("/").status_code == 200


def test_the_network_officer_home_leads_to_the_network_comparison(world, client_for):
    html = client_for("reseau").get(reverse("core:home")).content.decode()
    assert reverse("network:detail", kwargs={"network_slug": "brulocalis"}) in html
    coordination = client_for("coordination").get(reverse("core:home")).content.decode()
    assert reverse("network:detail", kwargs={"network_slug": "brulocalis"}) not in coordination


def test_a_signed_in_user_gets_her_home_at_the_front_door(world, client_for, partnership):
    html = client_for("coordination").get("/").content.decode()
    assert reverse("indicators:dashboard", kwargs={"slug": partnership.slug}) in html
    assert reverse("accounts:logout") in html


def test_a_visitor_changes_language_without_a_csrf_token_a_user_with_one(world, users):
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.post(reverse("set_language"), {"language": "ar", "next": "/"})
    assert response.status_code == 302
    assert 'dir="rtl"' in visitor.get("/").content.decode()
    user = Client(enforce_csrf_checks=True)
    user.force_login(users["coordination"])
    forged = user.post(reverse("set_language"), {"language": "ar", "next": "/"})
    assert forged.status_code == 403


def test_the_front_door_names_each_partnership_in_the_visitor_language(world, client, partnership):
    arabic = partnership.translations["ar"]["name"]
    html = Client(headers={"cookie": "django_language=ar"}).get("/").content.decode()
    assert f">{arabic}</h2>" in html


def test_a_users_choice_of_language_is_kept_for_her_e_mails(world, users):
    """accounts/mail.py writes to her in User.language: the language she last chose; a forged switch
    (no CSRF token) changes nothing."""
    user = Client(enforce_csrf_checks=True)
    user.force_login(users["coordination"])
    user.post(reverse("set_language"), {"language": "nl", "next": "/"})
    users["coordination"].refresh_from_db()
    assert users["coordination"].language == "fr"
    user = Client()
    user.force_login(users["coordination"])
    assert user.post(reverse("set_language"), {"language": "nl", "next": "/"}).status_code == 302
    users["coordination"].refresh_from_db()
    assert users["coordination"].language == "nl"
    user.post(reverse("set_language"), {"language": "xx", "next": "/"})
    users["coordination"].refresh_from_db()
    assert users["coordination"].language == "nl"
