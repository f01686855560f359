"""The partnership's results framework, word for word from the roadmap (../shared/seed)."""

from typing import Any

from django.utils import timezone

from accounts.models import User
from demo.partnerships import by_name
from indicators.actions import save_indicator
from partnerships.models import Partnership
from programme.actions import save_measurement, submit_measurement
from programme.models import GovernancePrinciple, Indicator, Measurement, Result, Target

OUTCOME = (
    "En 2026, les publics cibles (jeunes, femmes, personnes à besoins spécifiques, migrants) "
    "participent à des projets sociaux, socio-économiques et/ou socio-environnementaux pilotés par "
    "la commune et qui contribuent à leur bien-être et leur intégration"
)
OUTCOME_TRANSLATIONS = {
    "ar": "في أفق سنة 2026، تشارك الفئات المستهدفة (الشباب، النساء، الأشخاص ذوو الاحتياجات الخاصة، "
    "المهاجرون) في مشاريع اجتماعية و/أو سوسيو-اقتصادية و/أو سوسيو-بيئية تقودها الجماعة وتساهم في "
    "رفاهها واندماجها",
    "en": "By 2026, the target groups (young people, women, people with specific needs, migrants) take "
    "part in social, socio-economic and/or socio-environmental projects led by the commune that "
    "contribute to their well-being and integration",
    "nl": "Tegen 2026 nemen de doelgroepen (jongeren, vrouwen, personen met specifieke noden, migranten) "
    "deel aan sociale, sociaaleconomische en/of sociaal-ecologische projecten die de gemeente "
    "aanstuurt en die bijdragen tot hun welzijn en integratie",
}

# code, statement (word for word), translations
RESULTS = [
    (
        "R1",
        "Les communes développent une vision sociale et participative du développement de leur "
        "territoire et renforcent les capacités de gestion du service social en particulier.",
        {
            "ar": "تطور الجماعات رؤية اجتماعية وتشاركية لتنمية ترابها، وتعزز قدرات التدبير، ولا سيما "
            "قدرات المصلحة الاجتماعية.",
            "en": "The communes develop a social and participatory vision of the development of their "
            "territory and strengthen management capacities, of the social service in particular.",
            "nl": "De gemeenten ontwikkelen een sociale en participatieve visie op de ontwikkeling van "
            "hun grondgebied en versterken de beheerscapaciteit, in het bijzonder van de sociale dienst.",
        },
    ),
    (
        "R2",
        "Les communes et les partenaires (associations, autorités locales, coopératives, etc) "
        "collaborent et se renforcent mutuellement en vue notamment de la gestion et de la "
        "pérennisation de l'action à destination des publics cibles",
        {
            "ar": "تتعاون الجماعات والشركاء (الجمعيات، السلطات المحلية، التعاونيات، إلخ) ويعزز بعضهم "
            "بعضا، لا سيما من أجل تدبير العمل الموجه إلى الفئات المستهدفة وضمان استدامته",
            "en": "The communes and the partners (associations, local authorities, cooperatives, etc.) "
            "work together and strengthen one another, in particular to manage and sustain the action "
            "for the target groups",
            "nl": "De gemeenten en de partners (verenigingen, lokale overheden, coöperaties enz.) werken "
            "samen en versterken elkaar, met name om de actie voor de doelgroepen te beheren en "
            "duurzaam te verankeren",
        },
    ),
    (
        "R3",
        "Les communes développent une gouvernance participative, avec une attention particulière "
        "sur les publics cibles",
        {
            "ar": "تطور الجماعات حكامة تشاركية، مع إيلاء عناية خاصة للفئات المستهدفة",
            "en": "The communes develop participatory governance, with particular attention to the "
            "target groups",
            "nl": "De gemeenten ontwikkelen participatief bestuur, met bijzondere aandacht voor de "
            "doelgroepen",
        },
    ),
    (
        "R4",
        "Les communes et les partenaires (associations, communes belges, services de l'état, "
        "universités, etc.) identifient, formulent, planifient, mettent en œuvre et évaluent "
        "participativement des projets durables à finalité sociale, socio-économique ou "
        "socio-environnementale intégrant un ou plusieurs publics cibles",
        {
            "ar": "تقوم الجماعات والشركاء (الجمعيات، الجماعات البلجيكية، المصالح الخارجية للدولة، "
            "الجامعات، إلخ) بشكل تشاركي بتحديد وصياغة وتخطيط وتنفيذ وتقييم مشاريع مستدامة ذات غاية "
            "اجتماعية أو سوسيو-اقتصادية أو سوسيو-بيئية تدمج فئة مستهدفة أو أكثر",
            "en": "The communes and the partners (associations, Belgian municipalities, state services, "
            "universities, etc.) identify, design, plan, implement and evaluate, in a participatory "
            "way, sustainable projects with a social, socio-economic or socio-environmental purpose "
            "that include one or more target groups",
            "nl": "De gemeenten en de partners (verenigingen, Belgische gemeenten, overheidsdiensten, "
            "universiteiten enz.) identificeren, formuleren, plannen, voeren uit en evalueren op "
            "participatieve wijze duurzame projecten met een sociaal, sociaaleconomisch of "
            "sociaal-ecologisch doel die een of meer doelgroepen betrekken",
        },
    ),
    (
        "R5",
        "Brulocalis met en réseau les communes du programme, facilite la visibilité et la "
        "capitalisation des bonnes pratiques, soutient le développement d'actions collectives et les "
        "synergies entre acteurs et promeut les valeurs d'une Ville Durable",
        {
            "ar": "تربط Brulocalis جماعات البرنامج في شبكة، وتيسر إبراز الممارسات الجيدة وتثمينها، "
            "وتدعم تطوير الأعمال الجماعية والتآزر بين الفاعلين، وتروج لقيم المدينة المستدامة",
            "en": "Brulocalis links the programme's communes in a network, makes good practices "
            "visible and helps capitalise on them, supports collective action and synergies between "
            "actors, and promotes the values of a Sustainable City",
            "nl": "Brulocalis brengt de gemeenten van het programma samen in een netwerk, bevordert de "
            "zichtbaarheid en kapitalisatie van goede praktijken, ondersteunt collectieve acties en "
            "synergieën tussen actoren en promoot de waarden van een Duurzame Stad",
        },
    ),
]

# The units of the demo's indicators, in each language.
UNITS = {
    "personnes": {"ar": "أشخاص", "en": "people", "nl": "personen"},
    "participations": {"ar": "مشاركات", "en": "participations", "nl": "deelnames"},
    "activités": {"ar": "أنشطة", "en": "activities", "nl": "activiteiten"},
    "plants": {"ar": "شتلات", "en": "plants", "nl": "planten"},
}


def indicator_translations(names: dict[str, str], unit: str) -> dict[str, dict[str, str]]:
    """An indicator's `translations`: its name and unit in each language."""
    return {lang: {"name": name, "unit": UNITS[unit][lang]} for lang, name in names.items()}


# The roadmap's table: "Le nombre de bénéficiaires directs des projets soutenus par la CIC".
# How each outcome indicator is computed (docs/api.md): source and filters.
DEFINITIONS: dict[str, dict[str, Any]] = {
    "OC.1": {"source": "cases"},
    "OC.2": {"source": "people", "target_groups": ["jeunes-handicap"]},
    "OC.3": {"source": "people", "target_groups": ["migrants"], "activity_kinds": ["reunion-info"]},
}

# Output indicators of our choosing for R2–R5 (the roadmap sets no targets for them).
# result, code, name, period, by_sex, source, filters, translations
OUTPUT_INDICATORS: list[tuple[str, str, str, str, bool, str, dict[str, list[str]], dict[str, str]]] = [
    (
        "R2",
        "R2.1",
        "Activités tenues par le partenariat",
        "annual",
        False,
        "activities",
        {},
        {
            "ar": "الأنشطة المنجزة في إطار الشراكة",
            "en": "Activities held by the partnership",
            "nl": "Activiteiten van het partnerschap",
        },
    ),
    (
        "R2",
        "R2.2",
        "Participations des femmes ouvrières agricoles aux campagnes dans les fermes et associations",
        "annual",
        True,
        "participations",
        {"target_groups": ["ouvrieres-agricoles"], "activity_kinds": ["campagne"]},
        {
            "ar": "مشاركات النساء العاملات الفلاحيات في الحملات",
            "en": "Participations of women farm workers in the campaigns",
            "nl": "Deelnames van vrouwelijke landarbeiders aan de campagnes",
        },
    ),
    (
        "R3",
        "R3.1",
        "Participations aux forums ouverts, à l'exposition, au théâtre-action, aux projections et au salon",
        "annual",
        True,
        "participations",
        {"activity_kinds": ["forum", "exposition", "theatre-action", "projection", "salon"]},
        {
            "ar": "المشاركات في المنتديات المفتوحة والمعرض ومسرح الفعل والعروض والمعرض الإبداعي",
            "en": "Participations in the open forums, exhibition, theatre-action, screenings and fair",
            "nl": "Deelnames aan de open forums, tentoonstelling, actietheater, vertoningen en beurs",
        },
    ),
    (
        "R3",
        "R3.2",
        "Participations des jeunes aux forums ouverts (propositions et votes)",
        "annual",
        True,
        "forums",
        {},
        {
            "ar": "مشاركات الشباب في المنتديات المفتوحة (مقترحات وتصويت)",
            "en": "Youth participations in the open forums (proposals and votes)",
            "nl": "Deelnames van jongeren aan de open forums (voorstellen en stemmen)",
        },
    ),
    (
        "R4",
        "R4.1",
        "Plants de figuiers de barbarie plantés dans le douar de Toulaasri",
        "cumulative",
        False,
        "manual",
        {"structures": ["figuiers-toulaasri"]},
        {
            "ar": "شتلات الصبار المغروسة بدوار تولعاسري",
            "en": "Prickly-pear plants planted in the douar of Toulaasri",
            "nl": "Cactusvijgplanten geplant in de douar Toulaasri",
        },
    ),
]

# code, name, period, target F, target M (None: no target for that sex), translations
OUTCOME_INDICATORS: list[tuple[str, str, str, int | None, int | None, dict[str, str]]] = [
    (
        "OC.1",
        "Femmes victimes de violence suivies par le centre d'écoute",
        Indicator.Period.CUMULATIVE,
        150,
        None,
        {
            "ar": "النساء ضحايا العنف المتابَعات من طرف مركز الاستماع",
            "en": "Women victims of violence followed by the listening centre",
            "nl": "Vrouwelijke slachtoffers van geweld begeleid door het luistercentrum",
        },
    ),
    (
        "OC.2",
        "Jeunes porteurs d'un handicap participant aux projets",
        Indicator.Period.ANNUAL,
        43,
        51,
        {
            "ar": "الشباب في وضعية إعاقة المشاركون في المشاريع",
            "en": "Youth with disabilities taking part in the projects",
            "nl": "Jongeren met een beperking die aan de projecten deelnemen",
        },
    ),
    (
        "OC.3",
        "Migrants africains participant aux réunions d'information de la commune",
        Indicator.Period.ANNUAL,
        6,
        46,
        {
            "ar": "المهاجرون الأفارقة المشاركون في اجتماعات الإخبار التي تنظمها الجماعة",
            "en": "African migrants taking part in the commune's information meetings",
            "nl": "Afrikaanse migranten die deelnemen aan de informatievergaderingen van de gemeente",
        },
    ),
]

# The good-governance referential adopted by the commune of Belfaa.
PRINCIPLES = [
    (
        "egal-acces",
        "Egal accès des citoyennes et citoyens au service public",
        {
            "ar": "المساواة في ولوج المواطنات والمواطنين إلى المرفق العمومي",
            "en": "Equal access of citizens to public services",
            "nl": "Gelijke toegang van burgers tot de openbare dienstverlening",
        },
    ),
    (
        "egalite-femmes-hommes",
        "L'homme et la femme jouissent à égalité des droits et libertés à caractère civil, politique, économique, social, culturel et environnemental",
        {
            "ar": "تمتع الرجل والمرأة على قدم المساواة بالحقوق والحريات المدنية والسياسية والاقتصادية والاجتماعية والثقافية والبيئية",
            "en": "Women and men enjoy equal civil, political, economic, social, cultural and environmental rights and freedoms",
            "nl": "Mannen en vrouwen genieten gelijke burgerlijke, politieke, economische, sociale, culturele en ecologische rechten en vrijheden",
        },
    ),
    (
        "couverture-equitable",
        "Couverture équitable du territoire communal et continuité de prestation des services",
        {
            "ar": "التغطية المنصفة للتراب الجماعي واستمرارية أداء الخدمات",
            "en": "Fair coverage of the commune's territory and continuity of services",
            "nl": "Billijke dekking van het gemeentelijk grondgebied en continuïteit van de dienstverlening",
        },
    ),
    (
        "qualite-transparence",
        "Inscription de l'intervention publique dans les normes de qualité, de transparence, de reddition des comptes, de responsabilité",
        {
            "ar": "إخضاع التدخل العمومي لمعايير الجودة والشفافية والمحاسبة والمسؤولية",
            "en": "Public action held to standards of quality, transparency, accountability and responsibility",
            "nl": "Overheidsoptreden volgens normen van kwaliteit, transparantie, verantwoording en verantwoordelijkheid",
        },
    ),
    (
        "participation-citoyenne",
        "La participation des citoyens à la vie publique locale",
        {
            "ar": "مشاركة المواطنين في الحياة العامة المحلية",
            "en": "Citizen participation in local public life",
            "nl": "Burgerparticipatie in het lokale openbare leven",
        },
    ),
    (
        "efficacite",
        "Efficacité et efficience de la gestion de l'administration",
        {
            "ar": "نجاعة وفعالية تدبير الإدارة",
            "en": "Effective and efficient management of the administration",
            "nl": "Doeltreffend en efficiënt bestuur van de administratie",
        },
    ),
]


def save_definition(result: Result, code: str, fields: dict[str, Any]) -> Indicator:
    """Creates or restores an indicator's definition through `save_indicator` (its values follow); an
    indicator already as the demo defines it is left alone, so a second run changes nothing."""
    indicator = Indicator.objects.filter(result=result, code=code).first() or Indicator(
        result=result, code=code
    )
    if indicator.pk is not None and all(getattr(indicator, name) == value for name, value in fields.items()):
        return indicator
    for name, value in fields.items():
        setattr(indicator, name, value)
    return save_indicator(indicator)


def load_framework(partnership: Partnership) -> None:
    """Outcome, R1–R5, OC.1–OC.3 with exactly the roadmap's targets, and the governance principles."""
    outcome, _ = Result.objects.update_or_create(
        partnership=partnership,
        code="OC",
        defaults={
            "level": Result.Level.OUTCOME,
            "name": OUTCOME,
            "order": 0,
            "translations": by_name(OUTCOME_TRANSLATIONS),
        },
    )
    for order, (code, text, translations) in enumerate(RESULTS, start=1):
        Result.objects.update_or_create(
            partnership=partnership,
            code=code,
            defaults={
                "level": Result.Level.RESULT,
                "name": text,
                "order": order,
                "translations": by_name(translations),
            },
        )
    for order, (code, name, period, target_f, target_m, translations) in enumerate(OUTCOME_INDICATORS):
        indicator = save_definition(
            outcome,
            code,
            {
                "name": name,
                "period": period,
                "unit": "personnes",
                "by_sex": True,
                "order": order,
                "public": True,
                "source": DEFINITIONS[code]["source"],
                "target_groups": DEFINITIONS[code].get("target_groups", []),
                "activity_kinds": DEFINITIONS[code].get("activity_kinds", []),
                "translations": indicator_translations(translations, "personnes"),
            },
        )
        years = [None] if period == Indicator.Period.CUMULATIVE else partnership.years
        for year in years:
            for sex, value in (("F", target_f), ("M", target_m)):
                if value is not None:
                    Target.objects.update_or_create(
                        indicator=indicator, year=year, sex=sex, defaults={"value": value}
                    )
    results = {r.code: r for r in Result.objects.filter(partnership=partnership)}
    for order, (result, code, name, period, by_sex, source, filters, translations) in enumerate(
        OUTPUT_INDICATORS
    ):
        unit = {"activities": "activités", "manual": "plants"}.get(source, "participations")
        save_definition(
            results[result],
            code,
            {
                "name": name,
                "period": period,
                "unit": unit,
                "by_sex": by_sex,
                "order": order,
                "source": source,
                "target_groups": filters.get("target_groups", []),
                "activity_kinds": filters.get("activity_kinds", []),
                "structures": filters.get("structures", []),
                "translations": indicator_translations(translations, unit),
            },
        )
    for order, (code, name, translations) in enumerate(PRINCIPLES):
        GovernancePrinciple.objects.update_or_create(
            partnership=partnership,
            code=code,
            defaults={
                "name": name,
                "order": order,
                "translations": by_name(translations),
            },
        )


def load_figures(partnership: Partnership) -> None:
    """One manual figure waiting for approval (issue 16, "Mon travail"): the prickly-pear plants of
    last year, counted with the cooperative and entered and submitted by the day centre's educator, so the
    coordinator — who did neither — may approve it (four eyes). Idempotent."""
    indicator = Indicator.objects.filter(result__partnership=partnership, code="R4.1").first()
    entered_by = User.objects.filter(username="jour").first()
    if indicator is None or entered_by is None:
        return
    # Last year's count (the demo may be loaded on any day: a figure is never for a year to come).
    year = min(max(timezone.localdate().year - 1, partnership.start_year), partnership.end_year)
    if Measurement.objects.filter(indicator=indicator, period=year).exists():
        return
    measurement = save_measurement(indicator, year, "T", 1850, entered_by)
    submit_measurement(measurement, entered_by)
