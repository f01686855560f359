"""E-mail from Twiza: invitations, password links, the daily digest (issue 16).

Every e-mail goes through `send_notice`, which queues a background task: the page that asks never
waits for the mail server. The task renders `templates/mail/<template>_subject.txt` and
`<template>.txt` in the recipient's language (`User.language`, French for an address without an
account). An e-mail says only what waits and gives a link: never case content, a person's name or a
code (registry, case or one-time code) — `accounts/tests/test_mail.py` sends every template with
sentinel values and checks none reaches a body. The context is therefore counts and links only,
and must be JSON (a task's arguments are stored).
"""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from .models import User


def send_notice(
    to: "User | str", template: str, context: dict[str, Any] | None = None, *, language: str = ""
) -> None:
    """Queues one e-mail to a user (in her language) or to an address (in `language`, French by
    default)."""
    if isinstance(to, User):
        address, language = to.email, to.language
    else:
        address, language = to, language or settings.LANGUAGE_CODE
    if not address:
        return
    send_notice_task.enqueue(address, language, template, context or {})


def render_notice(language: str, template: str, context: dict[str, Any]) -> tuple[str, str]:
    """The subject (one line) and the body of an e-mail, in `language`."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"mail/{template}_subject.txt", context).split())
        body = render_to_string(f"mail/{template}.txt", context)
    return subject, body


@task()
def send_notice_task(address: str, language: str, template: str, context: dict[str, Any]) -> None:
    subject, body = render_notice(language, template, context)
    EmailMessage(subject, body, to=[address]).send()
