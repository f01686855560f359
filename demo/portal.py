"""Demo good practices of the Belfaa–Jette partnership (roadmap, R3 and R5) and a second, clearly
fictional partnership of the Brulocalis network, so the network officer compares two partnerships.

Idempotent: finds or creates by code and title; activity is added once.
"""

import datetime

from django.utils import timezone

from activities.actions import create_activity, set_tallies
from activities.models import Activity
from demo.partnerships import by_name
from demo.programme import indicator_translations, save_definition
from indicators import engine
from partnerships.models import Network, Organisation, PartnerRole, Partnership, Structure
from people.models import TargetGroup
from portal.actions import publish_practice, set_project_principles
from portal.models import Audience, GoodPractice, Link, ProjectPrinciple
from programme.models import GovernancePrinciple, Indicator, Result, Target
from projects.models import Project

OTHER_SLUG = "demo-ait-nour-saint-aubin-2023-2026"

# kind, title, summary, lessons, Arabic title and summary, result, target groups, principles, audience, links
PRACTICES = [
    (
        GoodPractice.Kind.PRACTICE,
        "Brochure « À la rencontre des nouveaux habitants »",
        "La brochure « À la rencontre des nouveaux habitants » est issue d'un exercice de "
        "systématisation d'expérience mené avec les jeunes citoyens et citoyennes de Belfaa.",
        "Il a semblé intéressant de partager cette réflexion collective sur les apprentissages retirés "
        "de la participation au projet visant à faciliter l'insertion sociale des nouveaux habitants "
        "de Belfaa.",
        "كتيب « لقاء مع الساكنة الجدد »",
        "كتيب « لقاء مع الساكنة الجدد » ثمرة تمرين لتجميع التجربة أُنجز مع الشابات والشباب المواطنين ببلفاع.",
        "R5",
        ["jeunes-citoyens", "migrants"],
        ["participation-citoyenne"],
        Audience.PUBLIC,
        [
            (
                "Brochure « À la rencontre des nouveaux habitants » (lien de démonstration)",
                "https://example.org/demo/a-la-rencontre-des-nouveaux-habitants.pdf",
            )
        ],
    ),
    (
        GoodPractice.Kind.PRACTICE,
        "Film « Le vivre ensemble »",
        "Réalisation du film « Le vivre ensemble » par les jeunes citoyens accompagnés dans leur "
        "engagement, dans le cadre du soutien du partenariat à la citoyenneté active.",
        "",
        "فيلم « العيش المشترك »",
        "إنجاز فيلم « العيش المشترك » من طرف الشباب المواطنين المواكَبين في التزامهم، في إطار دعم "
        "الشراكة للمواطنة الفاعلة.",
        "R3",
        ["jeunes-citoyens"],
        ["participation-citoyenne", "egal-acces"],
        Audience.PUBLIC,
        [
            (
                "Film « Le vivre ensemble » (lien de démonstration)",
                "https://example.org/demo/le-vivre-ensemble",
            )
        ],
    ),
    (
        GoodPractice.Kind.LESSON,
        "Forums ouverts des jeunes",
        "Organisation de forums ouverts afin de faire émerger les projets que les jeunes filles et "
        "garçons souhaitent développer au bénéfice de la collectivité, et soutien à la mise en œuvre "
        "des projets sélectionnés collectivement.",
        "",
        "المنتديات المفتوحة للشباب",
        "",
        "R3",
        ["jeunes-citoyens"],
        ["participation-citoyenne"],
        Audience.NETWORK,
        [],
    ),
]


def load(partnership: Partnership) -> Partnership:
    """Belfaa's good practices, its followed projects' principles, then the fictional partnership."""
    results = {r.code: r for r in Result.objects.filter(partnership=partnership)}
    principles = {p.code: p for p in GovernancePrinciple.objects.filter(partnership=partnership)}
    groups = {g.code: g for g in TargetGroup.objects.all()}
    for kind, title, summary, lessons, title_ar, summary_ar, result, tgs, prs, audience, links in PRACTICES:
        practice = GoodPractice.objects.filter(partnership=partnership, title=title).first()
        if practice is None:
            practice = GoodPractice(partnership=partnership, title=title)
        practice.kind, practice.summary, practice.lessons = kind, summary, lessons
        practice.title_ar, practice.summary_ar = title_ar, summary_ar
        practice.result = results.get(result)
        practice.save()
        publish_practice(practice, audience)
        practice.target_groups.set([groups[c] for c in tgs if c in groups])
        practice.principles.set([principles[c] for c in prs if c in principles])
        for label, url in links:
            Link.objects.get_or_create(practice=practice, url=url, defaults={"label": label})
    if "participation-citoyenne" in principles:
        for project in Project.objects.filter(partnership=partnership, proposal__isnull=False):
            if not ProjectPrinciple.objects.filter(project=project).exists():  # a demo user's choice stays
                set_project_principles(project, [principles["participation-citoyenne"]])
    return load_other_partnership(partnership.network)


def load_other_partnership(network: Network) -> Partnership:
    """A clearly fictional pair of communes in the same network, with a small framework and activity."""
    ma, _ = Organisation.objects.update_or_create(
        slug="demo-ait-nour",
        defaults={
            "name": "Commune fictive d'Aït Nour (démo)",
            "kind": "commune",
            "country": "MA",
            "translations": by_name(
                {
                    "ar": "جماعة آيت نور الخيالية (عرض)",
                    "en": "Fictional commune of Aït Nour (demo)",
                    "nl": "Fictieve gemeente Aït Nour (demo)",
                }
            ),
        },
    )
    be, _ = Organisation.objects.update_or_create(
        slug="demo-saint-aubin",
        defaults={
            "name": "Commune fictive de Saint-Aubin-sur-Senne (démo)",
            "kind": "commune-belge",
            "country": "BE",
            "translations": by_name(
                {
                    "ar": "جماعة سان أوبان الخيالية (عرض)",
                    "en": "Fictional municipality of Saint-Aubin-sur-Senne (demo)",
                    "nl": "Fictieve gemeente Saint-Aubin-sur-Senne (demo)",
                }
            ),
        },
    )
    other, _ = Partnership.objects.update_or_create(
        slug=OTHER_SLUG,
        defaults={
            "network": network,
            "name": "Partenariat fictif Aït Nour – Saint-Aubin 2023-2026 (démo)",
            "translations": by_name(
                {
                    "ar": "شراكة خيالية آيت نور – سان أوبان 2023-2026 (عرض)",
                    "en": "Fictional Aït Nour – Saint-Aubin Partnership 2023-2026 (demo)",
                    "nl": "Fictief partnerschap Aït Nour – Saint-Aubin 2023-2026 (demo)",
                }
            ),
            "start_year": 2023,
            "end_year": 2026,
            "code_prefix": "ANR",
        },
    )
    other.communes.set([ma, be])
    for org in (ma, be):
        PartnerRole.objects.get_or_create(partnership=other, organisation=org)
    office, _ = Structure.objects.update_or_create(
        partnership=other,
        code="bureau-migrants",
        defaults={
            "name": "Bureau d'accueil des nouveaux habitants (fictif)",
            "kind": Structure.Kind.MIGRANT_OFFICE,
            "status": Structure.Status.NEW,
            "organisation": ma,
            "result": "R1",
            "translations": by_name(
                {
                    "ar": "مكتب استقبال الساكنة الجدد (خيالي)",
                    "en": "Welcome office for new residents (fictional)",
                    "nl": "Onthaalbureau voor nieuwe inwoners (fictief)",
                }
            ),
        },
    )
    outcome, _ = Result.objects.update_or_create(
        partnership=other,
        code="OC",
        defaults={
            "level": Result.Level.OUTCOME,
            "order": 0,
            "name": "(Fictif) Les migrants participent à la vie de la commune d'Aït Nour",
            "translations": by_name(
                {
                    "ar": "(خيالي) يشارك المهاجرون في حياة جماعة آيت نور",
                    "en": "(Fictional) Migrants take part in the life of the commune of Aït Nour",
                    "nl": "(Fictief) Migranten nemen deel aan het leven van de gemeente Aït Nour",
                }
            ),
        },
    )
    r1, _ = Result.objects.update_or_create(
        partnership=other,
        code="R1",
        defaults={
            "level": Result.Level.RESULT,
            "order": 1,
            "name": "(Fictif) Le bureau d'accueil informe les nouveaux habitants",
            "translations": by_name(
                {
                    "ar": "(خيالي) يُخبر مكتب الاستقبال الساكنة الجدد",
                    "en": "(Fictional) The welcome office informs new residents",
                    "nl": "(Fictief) Het onthaalbureau informeert nieuwe inwoners",
                }
            ),
        },
    )
    oc = save_definition(
        outcome,
        "OC.3",
        {
            "name": "Migrants participant aux réunions d'information de la commune",
            "period": Indicator.Period.ANNUAL,
            "source": Indicator.Source.PARTICIPATIONS,
            "target_groups": ["migrants"],
            "activity_kinds": ["reunion-info"],
            "public": True,
            "unit": "participations",
            "translations": indicator_translations(
                {
                    "ar": "المهاجرون المشاركون في اجتماعات الإخبار التي تنظمها الجماعة",
                    "en": "Migrants taking part in the commune's information meetings",
                    "nl": "Migranten die deelnemen aan de informatievergaderingen van de gemeente",
                },
                "participations",
            ),
        },
    )
    for year in other.years:
        for sex, value in (("F", 10), ("M", 20)):
            Target.objects.update_or_create(indicator=oc, year=year, sex=sex, defaults={"value": value})
    save_definition(
        r1,
        "R1.1",
        {
            "name": "Activités tenues par le partenariat",
            "period": Indicator.Period.ANNUAL,
            "source": Indicator.Source.ACTIVITIES,
            "by_sex": False,
            "public": True,
            "unit": "activités",
            "translations": indicator_translations(
                {
                    "ar": "الأنشطة المنجزة في إطار الشراكة",
                    "en": "Activities held by the partnership",
                    "nl": "Activiteiten van het partnerschap",
                },
                "activités",
            ),
        },
    )
    if not Activity.objects.filter(partnership=other).exists():
        migrants = TargetGroup.objects.get(code="migrants")
        for year in other.years:
            for month, (women, men) in ((3, (3, 14)), (10, (6, 11))):
                a = create_activity(
                    Activity(
                        partnership=other,
                        structure=office,
                        kind=Activity.Kind.INFO_MEETING,
                        title="Réunion d'information fictive",
                        date=datetime.date(year, month, 15),
                    )
                )
                if a.date > timezone.localdate():
                    continue  # planned: tallies are recorded on the day, not before
                set_tallies(a, {("F", migrants): women, ("M", migrants): men})
            create_activity(
                Activity(
                    partnership=other,
                    kind=Activity.Kind.FORUM,
                    title="Forum fictif",
                    date=datetime.date(year, 6, 1),
                )
            )
        engine.rebuild(other)
    return other
