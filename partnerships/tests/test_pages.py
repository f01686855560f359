from django.urls import reverse


def test_partnership_page_shows_communes_structures_with_status_and_partners(client_for, partnership):
    html = (
        client_for("jette")
        .get(reverse("partnerships:detail", kwargs={"slug": partnership.slug}))
        .content.decode()
    )
    for text in [
        "Commune de Belfaa",
        "Commune de Jette",
        "Brulocalis",
        "Centre d&#x27;écoute pour les femmes victimes de violence",
        "Bureau d&#x27;accueil et d&#x27;orientation des migrants",
        "Maison de la création multiculturelle",
        "Centre d&#x27;accueil de jour pour les jeunes porteurs d&#x27;un handicap",
        "Plantation de figues de barbarie du douar de Toulaasri",
        "en travaux",
        "existant",
        "Coopératives",
    ]:
        assert text in html, text


def test_header_offers_a_switcher_only_to_users_with_several_partnerships(client_for, world, users):
    from partnerships.models import Membership, Role

    url = reverse("partnerships:detail", kwargs={"slug": world["partnership"].slug})
    assert "switcher" not in client_for("coordination").get(url).content.decode()
    Membership.objects.create(
        user=users["coordination"], role=Role.PARTNER_OFFICER, partnership=world["other"]
    )
    html = client_for("coordination").get(url).content.decode()
    assert 'class="switcher"' in html and "Partenariat d&#x27;Ailleurs" in html


def test_home_page_speaks_to_each_persona(client_for, world):
    expectations = {
        "coordination": "Vous coordonnez le partenariat",
        "ecoute": "Vous êtes écoutante",
        "centre": "Vous coordonnez le centre d",
        "accueil": "Vous accueillez les migrants",
        "jour": "Vous êtes éducateur",
        "jette": "sans aucune donnée personnelle",
        "reseau": "Vous suivez les partenariats du réseau",
        "admin": "Vous administrez la plateforme",
    }
    for persona, text in expectations.items():
        html = client_for(persona).get(reverse("core:home")).content.decode()
        assert text in html.replace("&#x27;", "'"), persona
    assert "aucun rôle" in client_for("outsider").get(reverse("core:home")).content.decode()


def test_pages_are_light(client_for, partnership):
    """A page weighs under 100 KB transferred, fonts aside: its HTML, stylesheet and script, gzipped."""
    import gzip
    from pathlib import Path

    from django.conf import settings

    static = Path(settings.BASE_DIR) / "static"
    assets = sum(
        len(gzip.compress(p.read_bytes())) for p in [static / "css/twiza.css", static / "vendor/htmx.min.js"]
    )
    client = client_for("coordination")
    for url in [
        reverse("partnerships:detail", kwargs={"slug": partnership.slug}),
        reverse("programme:framework", kwargs={"slug": partnership.slug}),
        reverse("core:home"),
    ]:
        html = client.get(url).content
        assert len(gzip.compress(html)) + assets < 100_000, url


def test_arabic_pages_are_right_to_left(client_for, partnership):
    client = client_for("coordination")
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    html = client.get(reverse("programme:framework", kwargs={"slug": partnership.slug})).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
