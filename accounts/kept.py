"""Work survives (issue 14): a form sent after its author's session ended, or refused by the CSRF
check of a stale tab, is kept on the server for her alone, encrypted, until she signs in again (with
her second factor where she has one) and sends it with one tap.

Whose work it is: a session that has ended no longer says, so the author is named by
- the page the form was on: static/js/session.js adds `_twiza_author` (signed here, in a `<meta>` of
  every signed-in page) to each POST form when it is sent;
- failing that (no JavaScript), the `twiza_who` cookie (signed, HttpOnly, SameSite=Lax), set on every
  page served to a signed-in user and deleted when she signs out.
Neither grants anything: they only decide whose box the form goes in. Only she, signed in again, sees
it or sends it; anyone else who signs in on that browser never sees it (a 404-like "nothing waits").

The kept copy holds the page's address and its fields in one encrypted blob (KeptSubmission.content),
expires after `KEPT_SUBMISSION_HOURS`, and is deleted the moment it is sent, by a single DELETE that
only one request can win: a double tap never applies it twice. Only text fields are kept (a form with
a file is not: the import page asks for the file again), never a form of the sign-in pages.
"""

import json
import uuid
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.http import QueryDict
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.http import url_has_allowed_host_and_scheme

from .models import KeptSubmission

if TYPE_CHECKING:
    from accounts.models import User

WHO_COOKIE = "twiza_who"
AUTHOR_FIELD = "_twiza_author"
KEPT_FIELD = "_twiza_kept"
_SALT = "accounts.kept.author"
_NOT_KEPT = {"csrfmiddlewaretoken", AUTHOR_FIELD, KEPT_FIELD}
_NEVER_KEPT_PREFIXES = ("/comptes/", "/admin/", "/api/", "/i18n/")
MAX_PER_USER = 20


def author_stamp(user) -> str:
    """The signed name of a signed-in user, for the `<meta>` of her pages and the `twiza_who` cookie
    (the same on every page: pages compared before and after a change stay equal)."""
    return signing.Signer(salt=_SALT).sign(str(user.pk))


def _user_of(stamp: str) -> "User | None":
    try:
        pk = int(signing.Signer(salt=_SALT).unsign(stamp))
    except (signing.BadSignature, ValueError):
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


def author(request) -> "User | None":
    """Who typed the form being sent: the page's stamp, else the browser's cookie, else nobody."""
    stamp = request.POST.get(AUTHOR_FIELD) or request.COOKIES.get(WHO_COOKIE) or ""
    return _user_of(stamp) if stamp else None


def remember_author(request, response) -> None:
    """Names the signed-in user in a cookie that outlives her session by the kept copies' lifetime."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        response.set_cookie(
            WHO_COOKIE,
            author_stamp(user),
            max_age=settings.SESSION_ABSOLUTE_SECONDS + settings.KEPT_SUBMISSION_HOURS * 3600,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def is_form(request) -> bool:
    """A form sent to the application's pages (not to a sign-in step, the admin or the API)."""
    return (
        request.method == "POST"
        and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
        and not request.path.startswith(_NEVER_KEPT_PREFIXES)
    )


def keepable(request) -> bool:
    """A form of text fields (a file is not kept) that is not itself the sending of a kept one."""
    return is_form(request) and not request.FILES and KEPT_FIELD not in request.POST


def same_origin(request) -> bool:
    """The browser says the form was sent from one of our pages (a cross-site forgery cannot)."""
    origin = request.headers.get("Origin", "")
    parsed = urlparse(origin)
    return bool(origin) and (
        (parsed.scheme == request.scheme and parsed.netloc == request.get_host())
        or origin in settings.CSRF_TRUSTED_ORIGINS
    )


def keep(user, request) -> KeptSubmission:
    """Keeps the form being sent for `user`, encrypted; also drops her oldest copies beyond
    MAX_PER_USER and everyone's expired ones."""
    fields = [(name, values) for name, values in request.POST.lists() if name not in _NOT_KEPT]
    content = {"path": request.path, "query": request.META.get("QUERY_STRING", ""), "fields": fields}
    KeptSubmission.objects.filter(expires_at__lte=timezone.now()).delete()
    kept = KeptSubmission.objects.create(user=user, content=json.dumps(content).encode())
    old = KeptSubmission.objects.filter(user=user).values_list("pk", flat=True)[MAX_PER_USER:]
    KeptSubmission.objects.filter(pk__in=list(old)).delete()
    return kept


def kept_for(user, pk) -> KeptSubmission | None:
    """Her own live kept copy `pk`; None for anyone else's, an expired one or a malformed id."""
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        return None
    return KeptSubmission.objects.live().filter(pk=pk, user=user).first()


def content(kept: KeptSubmission) -> dict:
    return json.loads(bytes(kept.content))


def action_url(kept: KeptSubmission) -> str:
    data = content(kept)
    return data["path"] + (f"?{data['query']}" if data["query"] else "")


def take(user, pk, path: str) -> KeptSubmission | None:
    """Claims her kept copy `pk` of the form at `path` for sending: deleted at once, by a DELETE that
    only one request wins, so that a second tap (or a reload) finds nothing."""
    kept = kept_for(user, pk)
    if kept is None or content(kept)["path"] != path:
        return None
    if KeptSubmission.objects.filter(pk=kept.pk).delete()[0] != 1:
        return None
    return kept


def put_back(kept: KeptSubmission) -> None:
    """The view failed (a 5xx) while sending it: the copy is kept again, as it was."""
    KeptSubmission.objects.create(
        id=kept.pk, user_id=kept.user_id, content=kept.content, expires_at=kept.expires_at
    )


def send_as_typed(request, kept: KeptSubmission) -> None:
    """The request now carries the kept fields, as if the form had just been sent."""
    data = content(kept)
    post = QueryDict(mutable=True)
    for name, values in data["fields"]:
        post.setlist(name, values)
    post._mutable = False
    request.POST = post
    request._files = MultiValueDict()
    request.GET = QueryDict(data["query"])


def resume_url(kept: KeptSubmission) -> str:
    return reverse("accounts:resume", kwargs={"pk": kept.pk})


def is_login_redirect(response) -> bool:
    return response.status_code in (301, 302) and urlparse(response.get("Location", "")).path == resolve_url(
        settings.LOGIN_URL
    )


def is_resume_url(url: str) -> bool:
    try:
        return resolve(urlparse(url).path).view_name == "accounts:resume"
    except Resolver404:
        return False


def safe_referer(request) -> str:
    """The page the form came from, when it is one of ours; "" otherwise."""
    referer = request.headers.get("Referer", "")
    allowed = url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure())
    return referer if referer and allowed else ""


def shown_fields(data: dict) -> list[tuple[str, str]]:
    """What she typed, to read before sending it: each filled field and its value(s)."""
    return [(name, ", ".join(values)) for name, values in data["fields"] if any(v.strip() for v in values)]
