"""The Belfaa–Jette partnership as the roadmap describes it (../shared/seed), and the demo users.

Every loader here is idempotent: it finds or creates by code, so `load_demo` can run twice.
"""

from django.conf import settings

from accounts.models import User
from partnerships import actions
from partnerships.models import (
    Invitation,
    Membership,
    Network,
    Organisation,
    PartnerRole,
    Partnership,
    Role,
    Structure,
)

SLUG = "belfaa-jette-2022-2026"
# The second, fictional partnership of the network is loaded by demo/portal.py.
DEMO_PARTNERSHIP_SLUGS = {SLUG, "demo-ait-nour-saint-aubin-2023-2026"}

# slug, name, kind, country, role in the partnership (roadmap wording), its translations, translations
# of the name
ORGANISATIONS = [
    (
        "belfaa",
        "Commune de Belfaa",
        "commune",
        "MA",
        "Commune marocaine du partenariat ; son service social pilote les projets",
        {
            "ar": "الجماعة المغربية في الشراكة؛ مصلحتها الاجتماعية تقود المشاريع",
            "en": "Moroccan commune of the partnership; its social service leads the projects",
            "nl": "Marokkaanse gemeente van het partnerschap; haar sociale dienst stuurt de projecten aan",
        },
        {"ar": "جماعة بلفاع", "en": "Commune of Belfaa", "nl": "Gemeente Belfaa"},
    ),
    (
        "jette",
        "Commune de Jette",
        "commune-belge",
        "BE",
        "Commune belge partenaire (Région de Bruxelles-Capitale)",
        {
            "ar": "الجماعة البلجيكية الشريكة (جهة بروكسل العاصمة)",
            "en": "Partner Belgian municipality (Brussels-Capital Region)",
            "nl": "Belgische partnergemeente (Brussels Hoofdstedelijk Gewest)",
        },
        {"ar": "جماعة جيت", "en": "Municipality of Jette", "nl": "Gemeente Jette"},
    ),
    (
        "brulocalis",
        "Brulocalis",
        "reseau",
        "BE",
        "Met en réseau les communes du programme et capitalise les bonnes pratiques (R5)",
        {
            "ar": "تربط جماعات البرنامج في شبكة وتثمّن الممارسات الجيدة (R5)",
            "en": "Links the programme's communes in a network and capitalises on good practices (R5)",
            "nl": "Brengt de gemeenten van het programma samen in een netwerk en kapitaliseert goede praktijken (R5)",
        },
        {},
    ),
    (
        "associations-belfaa",
        "Associations locales de Belfaa",
        "association",
        "MA",
        "Campagnes de sensibilisation dans les associations ; gestion et pérennisation des actions (R2)",
        {
            "ar": "حملات التحسيس داخل الجمعيات؛ تدبير الأعمال وضمان استدامتها (R2)",
            "en": "Awareness campaigns in the associations; managing and sustaining the actions (R2)",
            "nl": "Sensibiliseringscampagnes in de verenigingen; beheer en verduurzaming van de acties (R2)",
        },
        {
            "ar": "الجمعيات المحلية ببلفاع",
            "en": "Local associations of Belfaa",
            "nl": "Lokale verenigingen van Belfaa",
        },
    ),
    (
        "autorites-locales",
        "Autorités locales",
        "autorite-locale",
        "MA",
        "Collaborent à la gestion et à la pérennisation de l'action (R2)",
        {
            "ar": "تتعاون في تدبير العمل وضمان استدامته (R2)",
            "en": "Work together on managing and sustaining the action (R2)",
            "nl": "Werken mee aan het beheer en de verduurzaming van de actie (R2)",
        },
        {"ar": "السلطات المحلية", "en": "Local authorities", "nl": "Lokale overheden"},
    ),
    (
        "cooperatives",
        "Coopératives",
        "cooperative",
        "MA",
        "Partenaires des projets socio-économiques (R2, R4)",
        {
            "ar": "شركاء في المشاريع السوسيو-اقتصادية (R2، R4)",
            "en": "Partners in the socio-economic projects (R2, R4)",
            "nl": "Partners in de sociaaleconomische projecten (R2, R4)",
        },
        {"ar": "التعاونيات", "en": "Cooperatives", "nl": "Coöperaties"},
    ),
    (
        "services-etat",
        "Services de l'État",
        "service-etat",
        "MA",
        "Identifient, planifient et évaluent les projets durables (R4)",
        {
            "ar": "تحدد المشاريع المستدامة وتخطط لها وتقيّمها (R4)",
            "en": "Identify, plan and evaluate the sustainable projects (R4)",
            "nl": "Identificeren, plannen en evalueren de duurzame projecten (R4)",
        },
        {"ar": "المصالح الخارجية للدولة", "en": "State services", "nl": "Overheidsdiensten"},
    ),
    (
        "universites",
        "Universités",
        "universite",
        "MA",
        "Évaluation participative des projets (R4)",
        {
            "ar": "التقييم التشاركي للمشاريع (R4)",
            "en": "Participatory evaluation of the projects (R4)",
            "nl": "Participatieve evaluatie van de projecten (R4)",
        },
        {"ar": "الجامعات", "en": "Universities", "nl": "Universiteiten"},
    ),
]

# code, name, kind, status, roadmap result, translations of the name
STRUCTURES = [
    (
        "centre-ecoute",
        "Centre d'écoute pour les femmes victimes de violence",
        "centre-ecoute",
        "en-travaux",
        "R4",
        {
            "ar": "مركز الاستماع للنساء ضحايا العنف",
            "en": "Listening centre for women victims of violence",
            "nl": "Luistercentrum voor vrouwelijke slachtoffers van geweld",
        },
    ),
    (
        "bureau-migrants",
        "Bureau d'accueil et d'orientation des migrants",
        "bureau-migrants",
        "nouveau",
        "R2",
        {
            "ar": "مكتب استقبال وتوجيه المهاجرين",
            "en": "Migrant reception and orientation office",
            "nl": "Onthaal- en oriëntatiebureau voor migranten",
        },
    ),
    (
        "maison-creation",
        "Maison de la création multiculturelle",
        "maison-creation",
        "nouveau",
        "R2",
        {
            "ar": "دار الإبداع متعدد الثقافات",
            "en": "Multicultural creation house",
            "nl": "Multicultureel creatiehuis",
        },
    ),
    (
        "centre-jour",
        "Centre d'accueil de jour pour les jeunes porteurs d'un handicap",
        "centre-jour",
        "existant",
        "R2",
        {
            "ar": "مركز الاستقبال النهاري للشباب في وضعية إعاقة",
            "en": "Day centre for youth with disabilities",
            "nl": "Dagcentrum voor jongeren met een beperking",
        },
    ),
    (
        "figuiers-toulaasri",
        "Plantation de figues de barbarie du douar de Toulaasri",
        "plantation",
        "en-projet",
        "R4",
        {
            "ar": "غرس الصبار بدوار تولعاسري",
            "en": "Prickly-pear plantation of the douar of Toulaasri",
            "nl": "Cactusvijgenplantage in de douar Toulaasri",
        },
    ),
]

# username, role, scope ("partnership", a structure code, or "network"), first name, staff flags
USERS = [
    ("admin", None, None, "Administratrice", True),
    ("coordination", Role.COORDINATOR, "partnership", "Coordination du service social", False),
    ("ecoute", Role.LISTENER, "centre-ecoute", "Écoutante", False),
    ("centre", Role.CENTRE_COORDINATOR, "centre-ecoute", "Coordinatrice du centre", False),
    ("accueil", Role.OFFICE_AGENT, "bureau-migrants", "Agent d'accueil", False),
    ("jour", Role.EDUCATOR, "centre-jour", "Éducateur", False),
    ("jette", Role.PARTNER_OFFICER, "partnership", "Chargée de partenariat Jette", False),
    ("reseau", Role.NETWORK_OFFICER, "network", "Chargé de réseau Brulocalis", False),
]
DEMO_USERNAMES = {u[0] for u in USERS}


def load_organisations() -> dict[str, Organisation]:
    orgs = {}
    for slug, name, kind, country, _role, _role_tr, translations in ORGANISATIONS:
        orgs[slug], _ = Organisation.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "country": country,
                "translations": by_name(translations),
            },
        )
    return orgs


def load_partnership() -> Partnership:
    """Brulocalis, Belfaa, Jette, the 2022–2026 partnership, its partners and its five structures."""
    orgs = load_organisations()
    network, _ = Network.objects.update_or_create(slug="brulocalis", defaults={"name": "Brulocalis"})
    partnership, _ = Partnership.objects.update_or_create(
        slug=SLUG,
        defaults={
            "network": network,
            "name": "Partenariat Belfaa – Jette 2022-2026",
            "translations": by_name(
                {
                    "ar": "شراكة بلفاع – جيت 2022-2026",
                    "en": "Belfaa – Jette Partnership 2022-2026",
                    "nl": "Partnerschap Belfaa – Jette 2022-2026",
                }
            ),
            "start_year": 2022,
            "end_year": 2026,
            "timezone": "Africa/Casablanca",
            "code_prefix": "BLF",
        },
    )
    partnership.communes.set([orgs["belfaa"], orgs["jette"]])
    for slug, _name, _kind, _country, role, role_translations, _tr in ORGANISATIONS:
        PartnerRole.objects.update_or_create(
            partnership=partnership,
            organisation=orgs[slug],
            defaults={"role": role, "translations": by_name(role_translations, "role")},
        )
    for code, name, kind, status, result, translations in STRUCTURES:
        Structure.objects.update_or_create(
            partnership=partnership,
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "status": status,
                "result": result,
                "organisation": orgs["belfaa"],
                "translations": by_name(translations),
            },
        )
    return partnership


def load_users(partnership: Partnership) -> dict[str, User]:
    """The demo users of docs/api.md, each with the role docs/product.md gives her.

    The loader is the operator's own act, like `createsuperuser`: it writes the centre's roles
    directly, where people in the application go through two administrators or the centre
    coordinator (docs/security.md 26). Addresses are fictional: password links are printed on the console.
    """
    users = {}
    for username, role, scope, first_name, is_admin in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "email": f"{username}@demo.twiza.invalid",
                "is_staff": is_admin,
                "is_superuser": is_admin,
            },
        )
        if created or not user.check_password(settings.TWIZA_DEMO_PASSWORD):
            user.set_password(settings.TWIZA_DEMO_PASSWORD)
            user.save()
        users[username] = user
        if role is None:
            continue
        if scope == "network":
            Membership.objects.get_or_create(user=user, role=role, network=partnership.network)
        elif scope == "partnership":
            Membership.objects.get_or_create(user=user, role=role, partnership=partnership)
        else:
            structure = partnership.structures.get(code=scope)
            Membership.objects.get_or_create(
                user=user, role=role, partnership=partnership, structure=structure
            )
    return users


def by_name(translations: dict[str, str], field: str = "name") -> dict[str, dict[str, str]]:
    """{"ar": "…"} as a model's `translations` of one field: {"ar": {"name": "…"}}."""
    return {lang: {field: text} for lang, text in translations.items()}


# Issue 16: the demo shows one invitation waiting for an answer (its e-mail is under var/mail/).
INVITED_ADDRESS = "animatrice@example.org"
DEMO_SITE = "http://127.0.0.1:8000"


def load_invitation(partnership: Partnership) -> Invitation:
    """The coordinator has invited a facilitator to the creation house; she has not answered yet. A
    new one is sent only when none is pending (the link lasts 72 hours)."""
    pending = Invitation.objects.pending().filter(partnership=partnership, email=INVITED_ADDRESS).first()
    if pending is not None:
        return pending
    return actions.invite(
        User.objects.get(username="coordination"),
        partnership,
        INVITED_ADDRESS,
        Role.EDUCATOR,
        partnership.structures.get(code="maison-creation"),
        base_url=DEMO_SITE,
    )
