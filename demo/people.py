"""The six target groups of the roadmap, with the codes of docs/api.md."""

from demo.partnerships import by_name
from people.models import TargetGroup

TARGET_GROUPS = [
    (
        "femmes-violence",
        "Femmes victimes de violence",
        {
            "ar": "النساء ضحايا العنف",
            "en": "Women victims of violence",
            "nl": "Vrouwelijke slachtoffers van geweld",
        },
    ),
    (
        "jeunes-handicap",
        "Jeunes porteurs d'un handicap",
        {"ar": "الشباب في وضعية إعاقة", "en": "Youth with disabilities", "nl": "Jongeren met een beperking"},
    ),
    (
        "migrants",
        "Migrants africains installés dans la commune",
        {
            "ar": "المهاجرون الأفارقة المقيمون بالجماعة",
            "en": "African migrants settled in the commune",
            "nl": "Afrikaanse migranten in de gemeente",
        },
    ),
    (
        "jeunes-citoyens",
        "Jeunes citoyen·nes",
        {"ar": "الشباب المواطن", "en": "Young citizens", "nl": "Jonge burgers"},
    ),
    (
        "ouvrieres-agricoles",
        "Femmes ouvrières agricoles",
        {
            "ar": "النساء العاملات في الضيعات الفلاحية",
            "en": "Women farm workers",
            "nl": "Vrouwelijke landarbeiders",
        },
    ),
    (
        "parents-autisme",
        "Parents des jeunes autistes",
        {
            "ar": "آباء وأمهات الشباب المصابين بالتوحد",
            "en": "Parents of autistic youth",
            "nl": "Ouders van jongeren met autisme",
        },
    ),
]


def load_target_groups() -> None:
    for order, (code, name, translations) in enumerate(TARGET_GROUPS):
        TargetGroup.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "order": order,
                "translations": by_name(translations),
            },
        )
