"""The navigation of a partnership, by role: one list, each entry saying who sees it."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from partnerships.models import Role

if TYPE_CHECKING:
    from partnerships.access import Access

EVERYONE = frozenset(Role.values) | {"platform_admin"}


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: StrOrPromise
    roles: frozenset[str]


ENTRIES = [
    Entry("partnerships:detail", _("Le partenariat"), EVERYONE),
    Entry("indicators:dashboard", _("Tableau de bord"), EVERYONE),
    Entry("programme:framework", _("Cadre de résultats"), EVERYONE),
    Entry("activities:list", _("Activités"), EVERYONE),
    # Not the listening centre's roles: its clients live only in `cases` (docs/security.md 34).
    Entry("people:list", _("Personnes"), frozenset({Role.COORDINATOR, Role.OFFICE_AGENT, Role.EDUCATOR})),
    Entry("activities:visits", _("Visites"), frozenset({Role.COORDINATOR, Role.OFFICE_AGENT})),
    # Offline collection (collect/access.py): who collects for a structure, never the listening centre.
    Entry("collect:index", _("Collecte"), frozenset({Role.COORDINATOR, Role.OFFICE_AGENT, Role.EDUCATOR})),
    Entry(
        "projects:list",
        _("Projets"),
        frozenset(
            {
                Role.COORDINATOR,
                Role.ADMIN,
                Role.PARTNER_OFFICER,
                Role.CENTRE_COORDINATOR,
                Role.OFFICE_AGENT,
                Role.EDUCATOR,
                "platform_admin",
            }
        ),
    ),
    Entry("activities:partners", _("Partenaires"), EVERYONE),
    Entry("reports:index", _("Rapports"), EVERYONE),
    Entry("reports:coverage", _("Territoire"), EVERYONE),
    Entry(
        "participation:forums",
        _("Forums des jeunes"),
        frozenset({Role.COORDINATOR, Role.ADMIN, Role.OFFICE_AGENT, Role.EDUCATOR, Role.PARTNER_OFFICER})
        | {"platform_admin"},
    ),
    Entry("cases:centre", _("Centre d'écoute"), frozenset({Role.LISTENER, Role.CENTRE_COORDINATOR})),
    Entry("cases:statistics", _("Statistiques du centre d'écoute"), EVERYONE),
    Entry("practices:library", _("Bonnes pratiques"), EVERYONE),
    Entry("partnerships:team", _("Équipe"), frozenset({Role.COORDINATOR, Role.ADMIN})),
    Entry("portal:home", _("Portail public"), EVERYONE),
]


def navigation(access: "Access") -> list[dict[str, Any]]:
    """The entries the user's roles in this partnership open, with their URLs."""
    held = set(access.roles) | ({"platform_admin"} if access.platform_admin else set())
    return [
        {"url": reverse(e.url_name, kwargs={"slug": access.partnership.slug}), "label": e.label}
        for e in ENTRIES
        if held & e.roles
    ]


def mark_current(nav: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    """The entries with `current`: "page" on the entry's own page, "true" on a page of its section
    (the entry whose URL is the longest start of the path), None elsewhere (aria-current's values)."""
    section = max((e["url"] for e in nav if path.startswith(e["url"])), key=len, default=None)
    return [
        {**e, "current": "page" if e["url"] == path else "true" if e["url"] == section else None} for e in nav
    ]


ROLE_INTROS = {
    "platform_admin": _(
        "Vous administrez la plateforme : utilisateurs, partenariats, réglages. "
        "Le contenu des dossiers du centre d'écoute ne vous est jamais montré."
    ),
    Role.ADMIN: _("Vous administrez ce partenariat : ses structures, ses partenaires et ses rôles."),
    Role.COORDINATOR: _(
        "Vous coordonnez le partenariat : toute son activité, sauf le contenu des dossiers du "
        "centre d'écoute ; vous approuvez les données."
    ),
    Role.PARTNER_OFFICER: _(
        "Vous suivez le partenariat pour la commune partenaire : chiffres agrégés, rapports et "
        "documents, sans aucune donnée personnelle."
    ),
    Role.NETWORK_OFFICER: _(
        "Vous suivez les partenariats du réseau : chiffres agrégés et bonnes pratiques de chacun."
    ),
    Role.LISTENER: _(
        "Vous êtes écoutante : vous voyez les dossiers qui vous sont confiés et vos formations."
    ),
    Role.CENTRE_COORDINATOR: _(
        "Vous coordonnez le centre d'écoute : tous ses dossiers, orientations, groupes de parole "
        "et hébergements ; vous approuvez ses chiffres."
    ),
    Role.OFFICE_AGENT: _(
        "Vous accueillez les migrants au bureau : visiteurs, orientations et réunions d'information."
    ),
    Role.EDUCATOR: _("Vous êtes éducateur au centre de jour : ses jeunes et leurs présences."),
}


def role_intros(access: "Access") -> list[StrOrPromise]:
    """What each role the user holds here lets her do, in docs/product.md's words."""
    held = sorted(access.roles) + (["platform_admin"] if access.platform_admin else [])
    return [ROLE_INTROS[role] for role in held]
