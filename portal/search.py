"""Accent-, case- and vowel-mark-insensitive search text for French and Arabic."""

from core.crypto import normalise

# Arabic letters written several ways: a reader searching "احمد" must find "أحمد".
ARABIC_FOLDS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        "ـ": None,  # tatweel (kashida), a stretching mark
    }
)


def fold(text: str) -> str:
    """The searchable form of `text`: casefolded, without accents or Arabic short vowels, letters folded."""
    return normalise(text or "").translate(ARABIC_FOLDS)
