"""The daily digest (issue 16, item 4): one e-mail a day to each active person who keeps it and for
whom something waits, saying how many of each kind — never what — with a link to "Mon travail"."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from activities.models import Activity, Decision
from activities.tests.factories import ActivityFactory
from cases.tests.factories import CaseFactory
from participation.models import Forum
from work.digest import recipients, send_digests
from work.waiting import counts, waiting_for


def with_work(today):
    return {user.email for user in recipients() if any(counts(user, today).values())}


def test_one_email_per_person_with_work_and_none_the_second_time_the_same_day(world):
    today = timezone.localdate()
    expected = with_work(today)
    assert {"coordination@demo.twiza.invalid", "ecoute@demo.twiza.invalid"} <= expected
    mail.outbox.clear()
    call_command("send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115 - the command's report
    assert sorted(m.to[0] for m in mail.outbox) == sorted(expected)  # one each, no more
    mail.outbox.clear()
    call_command("send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert mail.outbox == []
    assert send_digests(today + datetime.timedelta(days=1)) == len(
        with_work(today + datetime.timedelta(days=1))
    )


def test_none_to_who_opted_out_or_was_deactivated_or_has_no_address(world):
    users = world["users"]
    User.objects.filter(pk=users["coordination"].pk).update(daily_digest=False)
    ecoute = User.objects.get(pk=users["ecoute"].pk)
    ecoute.is_active = False
    ecoute.save()
    User.objects.filter(pk=users["centre"].pk).update(email="")
    mail.outbox.clear()
    send_digests()
    sent_to = {m.to[0] for m in mail.outbox}
    assert not sent_to & {"coordination@demo.twiza.invalid", "ecoute@demo.twiza.invalid", ""}
    assert all(any(counts(User.objects.get(email=address)).values()) for address in sent_to)


def test_the_email_says_how_many_and_links_to_my_work(world, settings):
    settings.TWIZA_SITE_URL = "https://twiza.example.org"
    coordination = world["users"]["coordination"]
    waiting = counts(coordination)
    mail.outbox.clear()
    send_digests()
    (message,) = [m for m in mail.outbox if m.to == [coordination.email]]
    total = sum(waiting.values())
    assert message.subject == f"Twiza : {total} tâches vous attendent"
    assert f"{waiting['figures']} chiffre à approuver" in message.body
    assert f"{waiting['decisions']} décisions du comité de pilotage à suivre" in message.body
    assert "https://twiza.example.org" + reverse("work:mine") in message.body
    assert "https://twiza.example.org" + reverse("work:digest_off") in message.body
    assert "dossier" not in message.body  # she has no case line: the kind is not even named


def test_the_email_is_in_her_language(world):
    ecoute = world["users"]["ecoute"]
    User.objects.filter(pk=ecoute.pk).update(language="ar")
    mail.outbox.clear()
    send_digests()
    (message,) = [m for m in mail.outbox if m.to == [ecoute.email]]
    assert message.subject.startswith("تويزة") and "tâches" not in message.subject
    assert "دون متابعة" in message.body and "sans suivi" not in message.body


@pytest.mark.small_world
def test_no_case_code_name_or_registry_code_reaches_an_email(small_world, client):
    """A sentinel: the waiting work carries a case code, a person's name and a registry code; her page
    shows them (so this test can fail), no e-mail does, in its subject or its body."""
    partnership, users = small_world["partnership"], small_world["users"]
    today = timezone.localdate()
    name, registry_code = "Zineb Sentinelle", "BJ-SENTINEL-0042"
    ecoute = users["ecoute"]
    centre = ecoute.memberships.get(role="listener").structure
    case = CaseFactory(structure=centre, by=ecoute, full_name=name, opened_on=datetime.date(2025, 3, 4))
    committee = ActivityFactory(partnership=partnership, kind=Activity.Kind.COMMITTEE, date=today)
    Decision.objects.create(
        activity=committee, text=f"Accompagner {name} ({registry_code}), dossier {case.code}", due_date=today
    )
    Forum.objects.create(partnership=partnership, slug="s", title=f"Forum de {name}", date=today, place="Ici")
    for user in User.objects.all():
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    assert case.code in str(waiting_for(ecoute)) and registry_code in str(waiting_for(users["coordination"]))
    mail.outbox.clear()
    assert send_digests() >= 2
    assert len(mail.outbox) >= 2
    for message in mail.outbox:
        for secret in (case.code, name, "Sentinelle", registry_code, "Accompagner", "Forum de"):
            assert secret not in message.subject and secret not in message.body, (secret, message.to)


def test_the_opt_out_link_turns_the_digest_off_with_a_button(world, client_for):
    coordination = world["users"]["coordination"]
    client = client_for("coordination")
    url = reverse("work:digest_off")
    assert "<form" in client.get(url).content.decode()
    assert User.objects.get(pk=coordination.pk).daily_digest  # a GET changes nothing
    assert client.post(url).status_code == 302
    assert not User.objects.get(pk=coordination.pk).daily_digest
    mail.outbox.clear()
    send_digests()
    assert coordination.email not in {m.to[0] for m in mail.outbox}
