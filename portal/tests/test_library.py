"""The good-practices library, its uploads (checked by content, stored under a random name), and the
network officer's comparison.

Unit tests on factories (`small_world`). Two stay on the demo world (`demo_world`): the network view
checked against each partnership's dashboard (the roadmap's indicators and figures, over the demo's two
partnerships of one network) and the demo portal loader's idempotence (a test of the demo itself)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnerships.tests.factories import PartnershipFactory
from portal import documents
from portal.models import Attachment, GoodPractice

from .factories import GoodPracticeFactory, film_and_brochure

pytestmark = pytest.mark.small_world

PDF = b"%PDF-1.4\n%fake but well-typed\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _practice(world, **extra):
    return GoodPracticeFactory(partnership=world["partnership"], **extra)


def _upload(client, world, practice, name, content, display="Brochure 2024"):
    url = reverse("practices:attachment_add", kwargs={"slug": world["partnership"].slug, "pk": practice.pk})
    return client.post(url, {"display_name": display, "file": SimpleUploadedFile(name, content)})


def test_bad_uploads_are_refused_with_a_clear_message(world, client_for, monkeypatch):
    practice, client = _practice(world), client_for("coordination")
    for name, content in [
        ("evil.pdf", b"<script>alert(1)</script>"),
        ("page.html", b"<html></html>"),
        ("x.exe", b"MZ\x90\x00"),
        ("renamed.png", b"GIF89a...."),
    ]:
        response = _upload(client, world, practice, name, content)
        assert response.status_code == 400
        assert "seuls les PDF, PNG et JPEG sont acceptés" in response.content.decode()
    assert "vide" in _upload(client, world, practice, "empty.pdf", b"").content.decode()
    monkeypatch.setattr(documents, "MAX_BYTES", 16)
    response = _upload(client, world, practice, "big.pdf", PDF)
    assert response.status_code == 400 and "dépasse" in response.content.decode()
    assert not Attachment.objects.exists()


def test_uploads_are_stored_under_a_random_name_and_served_as_downloads(
    world, client_for, django_capture_on_commit_callbacks
):
    practice, client = _practice(world), client_for("coordination")
    response = _upload(client, world, practice, "Fatima-Fictif-dossier.pdf", PDF)
    assert response.status_code == 302
    doc = Attachment.objects.get()
    assert doc.content_type == "application/pdf" and doc.size == len(PDF)
    assert "Fatima" not in doc.stored_name and len(doc.stored_name) == 32
    stored = Path(settings.UPLOAD_ROOT) / doc.stored_name
    assert stored.read_bytes() == PDF
    for public_folder in (settings.MEDIA_ROOT, settings.STATIC_ROOT, *settings.STATICFILES_DIRS):
        assert not stored.resolve().is_relative_to(Path(public_folder).resolve())
    url = reverse(
        "practices:attachment", kwargs={"slug": world["partnership"].slug, "pk": practice.pk, "doc": doc.pk}
    )
    download = client.get(url)
    assert download["Content-Disposition"].startswith("attachment;")
    assert "brochure-2024.pdf" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    # An image is typed by its content too; the PNG of a draft is not public.
    _upload(client, world, practice, "photo.jpg", PNG, display="Photo")
    assert Attachment.objects.filter(content_type="image/png").exists()
    png = Attachment.objects.get(content_type="image/png")
    public = reverse(
        "portal:attachment", kwargs={"slug": world["partnership"].slug, "pk": practice.pk, "doc": png.pk}
    )
    assert client_for("anonymous").get(public).status_code == 404
    # Deleting removes the file.
    delete = reverse(
        "practices:attachment_delete",
        kwargs={"slug": world["partnership"].slug, "pk": practice.pk, "doc": doc.pk},
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(delete)
    assert not stored.exists()


def test_drafts_are_for_editors_and_publication_widens_the_audience(world, client_for):
    slug = world["partnership"].slug
    practice = _practice(world, lessons="SENTINEL-LECON")
    detail = reverse("practices:detail", kwargs={"slug": slug, "pk": practice.pk})
    assert client_for("coordination").get(detail).status_code == 200
    assert client_for("jette").get(detail).status_code == 404
    assert client_for("reseau").get(detail).status_code == 404
    publish = reverse("practices:publish", kwargs={"slug": slug, "pk": practice.pk})
    client_for("coordination").post(publish, {"audience": "partenariat"})
    assert client_for("jette").get(detail).status_code == 200
    assert client_for("reseau").get(detail).status_code == 404
    client_for("coordination").post(publish, {"audience": "reseau"})
    assert client_for("reseau").get(detail).status_code == 200
    public = reverse("portal:practice", kwargs={"slug": slug, "pk": practice.pk})
    assert client_for("anonymous").get(public).status_code == 404
    client_for("coordination").post(publish, {"audience": "public"})
    assert client_for("anonymous").get(public).status_code == 200
    client_for("coordination").post(publish, {"withdraw": "1"})
    assert client_for("anonymous").get(public).status_code == 404
    assert client_for("reseau").get(detail).status_code == 404
    # Only editors publish.
    assert client_for("jette").post(publish, {"audience": "public"}).status_code == 404


def test_library_lists_network_items_of_other_partnerships_but_not_other_networks(world, client_for):
    mine, other = world["partnership"], world["other"]
    assert other.network != mine.network
    fictional = PartnershipFactory(network=mine.network)  # a second partnership of my network
    GoodPracticeFactory(partnership=mine, title="RESEAU-MIEN", published=True, audience="reseau")
    GoodPracticeFactory(partnership=fictional, title="RESEAU-FICTIF", published=True, audience="reseau")
    GoodPracticeFactory(partnership=fictional, title="INTERNE-FICTIF", published=True, audience="partenariat")
    GoodPracticeFactory(partnership=other, title="AUTRE-RESEAU", published=True, audience="reseau")
    body = (
        client_for("coordination")
        .get(reverse("practices:library", kwargs={"slug": mine.slug}))
        .content.decode()
    )
    assert "RESEAU-FICTIF" in body and "INTERNE-FICTIF" not in body and "AUTRE-RESEAU" not in body
    body = client_for("autre_coordination").get(reverse("practices:library", kwargs={"slug": other.slug}))
    assert "AUTRE-RESEAU" in body.content.decode()  # her own network's item: the page does list
    assert "RESEAU-MIEN" not in body.content.decode() and "RESEAU-FICTIF" not in body.content.decode()


def test_library_search_in_french_and_arabic(world, client_for):
    partnership = world["partnership"]
    film_and_brochure(partnership)
    url = reverse("practices:library", kwargs={"slug": partnership.slug})
    client = client_for("coordination")
    assert "vivre ensemble" in client.get(url, {"q": "Vivre"}).content.decode()
    assert "Brochure" not in client.get(url, {"q": "Vivre"}).content.decode()
    assert "Brochure" in client.get(url, {"q": "rencontre"}).content.decode()
    assert "vivre ensemble" in client.get(url, {"q": "العيش"}).content.decode()
    assert "Brochure" not in client.get(url, {"q": "العيش"}).content.decode()


def test_links_accept_only_web_addresses(world, client_for):
    practice = _practice(world)
    url = reverse("practices:link_add", kwargs={"slug": world["partnership"].slug, "pk": practice.pk})
    client_for("coordination").post(url, {"label": "x", "url": "javascript:alert(1)"})
    assert not practice.links.exists()
    client_for("coordination").post(url, {"label": "Film", "url": "https://example.org/film"})
    assert practice.links.get().url == "https://example.org/film"


@pytest.mark.demo_world
def test_network_view_matches_each_partnership_dashboard(demo_portal, client_for):
    client = client_for("reseau")
    network = client.get(reverse("network:detail", kwargs={"network_slug": "brulocalis"}), {"annee": 2024})
    columns = network.context["columns"]
    assert {c["partnership"].slug for c in columns} == {
        demo_portal["partnership"].slug,
        demo_portal["fictional"].slug,
    }
    for column in columns:
        dash = client.get(
            reverse("indicators:dashboard", kwargs={"slug": column["partnership"].slug}), {"annee": 2024}
        )
        mine = {
            t.indicator.code: {
                s: c.shown for s, c in zip("FMXT", t.summary_row, strict=True) if s in t.columns
            }
            for t in column["tables"]
        }
        theirs = {
            t.indicator.code: dict(zip(t.columns, t.year_row or t.programme_row, strict=True))
            for block in dash.context["blocks"]
            for t in block["tables"]
        }
        theirs = {code: {s: c.shown for s, c in row.items()} for code, row in theirs.items()}
        assert mine == theirs
    body = network.content.decode()
    assert "Le vivre ensemble" in body and "Forums ouverts des jeunes" in body
    assert "Activités par type" in body


@pytest.mark.demo_world
def test_demo_loader_is_idempotent(demo_portal):
    from demo import portal as demo

    before = (GoodPractice.objects.count(), demo_portal["fictional"].activities.count())
    demo.load(demo_portal["partnership"])
    assert (GoodPractice.objects.count(), demo_portal["fictional"].activities.count()) == before
