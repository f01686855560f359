"""The portal and the good-practices library in the authorisation matrix (docs/security.md 3).

Library: every role of the partnership, the network officer (items published to the network or the
public) and the platform admin (published items) read; the coordinator writes. Other partnerships
(another network) and outsiders: 404. Public portal: everyone.
"""

from conftest import ALL_PERSONAS
from core.tests.access_matrix import Row

EDITORS = ["coordination"]
BELFAA = ["coordination", "ecoute", "centre", "accueil", "jour", "jette", "reseau", "admin"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def practice(world, audience="public", status="publie"):
    from django.utils import timezone

    from portal.models import GoodPractice

    item, _ = GoodPractice.objects.get_or_create(
        partnership=world["partnership"],
        title=f"Pratique {audience} {status}",
        defaults={
            "summary": "Résumé",
            "audience": audience,
            "status": status,
            "published_at": timezone.now() if status == "publie" else None,
        },
    )
    return item


def attachment(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal import actions

    item = practice(world)
    found = item.attachments.first()
    if found is None:
        upload = SimpleUploadedFile("x.png", PNG, content_type="image/png")
        found = actions.attach_document(item, upload, "image/png", "Affiche")
    return found


def link(world):
    item = practice(world)
    return item.links.get_or_create(label="Film", url="https://example.org/film")[0]


def belfaa(world):
    return {"slug": world["partnership"].slug}


def item(audience="public", status="publie", **extra):
    def kwargs(world):
        return {"slug": world["partnership"].slug, "pk": practice(world, audience, status).pk, **extra}

    return kwargs


def doc(world):
    found = attachment(world)
    return {"slug": world["partnership"].slug, "pk": found.practice_id, "doc": found.pk}


def link_kwargs(world):
    found = link(world)
    return {"slug": world["partnership"].slug, "pk": found.practice_id, "link": found.pk}


def project(world):
    from projects.models import Project

    first = Project.objects.filter(partnership=world["partnership"], proposal__isnull=False).first()
    return {"slug": world["partnership"].slug, "project": first.pk}


def upload(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"display_name": "Affiche", "file": SimpleUploadedFile("x.png", PNG, content_type="image/png")}


ROWS = {
    "practices:library": Row(kwargs=belfaa, allowed=BELFAA),
    "practices:library#other": Row(
        kwargs=lambda world: {"slug": world["other"].slug},
        allowed=["autre_coordination", "autre_ecoute", "admin"],
    ),
    "practices:new": Row(kwargs=belfaa, allowed=EDITORS),
    "practices:new#post": Row(
        kwargs=belfaa,
        allowed=EDITORS,
        ok=302,
        method="post",
        data=lambda w: {"kind": "pratique", "title": "Nouvelle", "summary": "Texte"},
    ),
    "practices:projects": Row(kwargs=belfaa, allowed=EDITORS),
    "practices:project_principles": Row(kwargs=project, allowed=EDITORS),
    "practices:detail": Row(kwargs=item(), allowed=BELFAA),
    "practices:detail#network": Row(kwargs=item("reseau"), allowed=BELFAA),
    "practices:detail#partnership": Row(
        kwargs=item("partenariat"), allowed=[p for p in BELFAA if p != "reseau"]
    ),
    "practices:detail#draft": Row(kwargs=item("public", "brouillon"), allowed=EDITORS),
    "practices:edit": Row(kwargs=item(), allowed=EDITORS),
    "practices:publish": Row(
        kwargs=item("partenariat", "brouillon"),
        allowed=EDITORS,
        ok=302,
        method="post",
        data=lambda w: {"audience": "reseau"},
    ),
    "practices:attachment_add": Row(kwargs=item(), allowed=EDITORS, ok=302, method="post", data=upload),
    "practices:attachment": Row(kwargs=doc, allowed=BELFAA),
    "practices:attachment_delete": Row(kwargs=doc, allowed=EDITORS, ok=302, method="post", data=lambda w: {}),
    "practices:link_add": Row(
        kwargs=item(),
        allowed=EDITORS,
        ok=302,
        method="post",
        data=lambda w: {"label": "Brochure", "url": "https://example.org/b.pdf"},
    ),
    "practices:link_delete": Row(
        kwargs=link_kwargs, allowed=EDITORS, ok=302, method="post", data=lambda w: {}
    ),
    "portal:home": Row(kwargs=belfaa, allowed=ALL_PERSONAS),
    "portal:activities": Row(kwargs=belfaa, allowed=ALL_PERSONAS),
    "portal:indicators_csv": Row(kwargs=belfaa, allowed=ALL_PERSONAS),
    "portal:indicator_csv": Row(kwargs=lambda w: {**belfaa(w), "code": "OC.2"}, allowed=ALL_PERSONAS),
    "portal:activities_csv": Row(kwargs=belfaa, allowed=ALL_PERSONAS),
    "portal:practices": Row(kwargs=belfaa, allowed=ALL_PERSONAS),
    "portal:practice": Row(kwargs=item(), allowed=ALL_PERSONAS),
    "portal:attachment": Row(kwargs=doc, allowed=ALL_PERSONAS),
    # The network officer compares her network's partnerships (the page lives in the portal).
    "network:detail": Row(kwargs=lambda world: {"network_slug": "brulocalis"}, allowed=["reseau"]),
}
