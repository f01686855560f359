"""Forms for reference data in several languages (partnerships.models.TranslatedMixin).

`translated_form(Model)` is a ModelForm (to use as it is, as an admin's `form`, or as the base of a
form of one's own, whose Meta then chooses the model fields) that adds, for each field of
`Model.TRANSLATED` and each language of the interface other than French, an optional field
`<field>_<lang>` (e.g. `name_ar`), filled from and saved into `translations`. French stays the
model's own field. An empty box removes that translation: the French text is shown instead.
"""

from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.utils.text import format_lazy

# Languages are named in their own language, as in the language menu (settings.LANGUAGES).


def other_languages() -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE[:2]]


def source_language() -> str:
    return dict(settings.LANGUAGES)[settings.LANGUAGE_CODE[:2]]


# The mixin is used only on ModelForms: mypy checks it as one.
if TYPE_CHECKING:
    _ModelForm = forms.ModelForm
else:
    _ModelForm = object


class TranslationsMixin(_ModelForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translations = self.instance.translations or {}
        for name in self._translation_fields():
            field, lang = name.rsplit("_", 1)
            self.initial.setdefault(name, translations.get(lang, {}).get(field, ""))
        for field in self._meta.model.TRANSLATED:
            if field in self.fields:  # the French source, marked as such in a page of any language
                self.fields[field].label = format_lazy("{} ({})", self.fields[field].label, source_language())
                self.fields[field].widget.attrs.update(lang="fr", dir="ltr")
        # Each language right after its French field.
        order = []
        for name in self.fields:
            if name not in self._translation_fields():
                order += [name, *(n for n in self._translation_fields() if n.rsplit("_", 1)[0] == name)]
        self.order_fields(order)

    def _translation_fields(self) -> list[str]:
        return [
            f"{field}_{lang}" for field in self._meta.model.TRANSLATED for lang, _name in other_languages()
        ]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # private to BaseModelForm: absent from django-stubs
        translations = {lang: dict(texts) for lang, texts in (self.instance.translations or {}).items()}
        for name in self._translation_fields():
            if name not in self.cleaned_data:
                continue
            field, lang = name.rsplit("_", 1)
            text = (self.cleaned_data[name] or "").strip()
            texts = translations.setdefault(lang, {})
            if text:
                texts[field] = text
            else:
                texts.pop(field, None)
        self.instance.translations = {lang: texts for lang, texts in translations.items() if texts}


def translated_form(model) -> type[forms.ModelForm]:
    """A ModelForm class for `model` with a field per translated field and language."""
    attrs = {}
    for field_name in model.TRANSLATED:
        model_field = model._meta.get_field(field_name)
        for lang, language in other_languages():
            field = model_field.formfield(required=False)
            field.label = format_lazy("{} ({})", model_field.verbose_name, language)
            field.widget.attrs.update(lang=lang, dir="rtl" if lang in settings.LANGUAGES_BIDI else "ltr")
            attrs[f"{field_name}_{lang}"] = field
    attrs["Meta"] = type("Meta", (), {"model": model, "exclude": ["translations"]})
    return type(f"{model.__name__}TranslatedForm", (TranslationsMixin, forms.ModelForm), attrs)
