"""Every form of the project, rendered (issue 14 "forms that speak"): what the server requires the page
says too (`required`, `min`/`max`, `maxlength`), a required radio offers no empty choice, and each
error is printed right after its own field, never under another one or at the top of the page."""

import importlib
import inspect

import lxml.html
import pytest
from django import forms
from django.apps import apps
from django.core.validators import MaxValueValidator, MinValueValidator

APPS = [
    "accounts",
    "activities",
    "cases",
    "collect",
    "indicators",
    "participation",
    "partnerships",
    "people",
    "portal",
    "programme",
    "projects",
    "reports",
]
NUMBER = (forms.IntegerField, forms.DecimalField, forms.FloatField)


def form_modules(app):
    """`<app>.forms` and the app's other form modules (`setup_forms.py`, `editing_forms.py`…)."""
    from pathlib import Path

    folder = Path(apps.get_app_config(app).path)
    names = sorted(p.stem for p in folder.glob("*forms.py"))
    return [importlib.import_module(f"{app}.{name}") for name in names]


def project_forms():
    found = []
    for app in APPS:
        for module in form_modules(app):
            for name, cls in vars(module).items():
                if (
                    inspect.isclass(cls)
                    and issubclass(cls, forms.BaseForm)
                    and cls.__module__ == module.__name__
                ):
                    found.append(pytest.param(cls, id=f"{module.__name__}.{name}"))
    return found


GIVEN_BY_THE_FORM = {
    "PersonEditForm": ["structures", "douars"]
}  # a subclass passes these to its parent itself


def signed_in(user):
    """A request of `user`, for the forms that check her password (accounts.forms)."""
    from django.test import RequestFactory

    request = RequestFactory().post("/")
    request.user = user
    return request


def a_survey(partnership):
    """A survey with a question (projects/survey_forms.py)."""
    from projects.models import Project, Question, Survey

    project = Project.objects.filter(partnership=partnership).first()
    survey, _created = Survey.objects.get_or_create(
        partnership=partnership, code="formulaires", defaults={"title": "Formulaires", "project": project}
    )
    Question.objects.get_or_create(survey=survey, code="utile", defaults={"text": "Utile ?"})
    return survey


def arguments(cls, world):
    """The keyword arguments a view gives this form, taken from the demo world."""
    from cases.models import Case, SpeechGroup
    from partnerships.models import INVITABLE_ROLES, Network
    from people.models import Person, TargetGroup
    from programme.models import Indicator

    p = world["partnership"]
    known = {
        "partnership": lambda: p,
        "structures": lambda: p.structures.all(),
        "centres": lambda: p.structures.all(),
        "structure": lambda: p.structures.get(code="centre-ecoute"),
        "identity": lambda: True,
        "people": lambda: Person.objects.all(),
        "candidates": lambda: Person.objects.all(),
        "person": lambda: Person.objects.first(),
        "groups": lambda: SpeechGroup.objects.all(),
        "members": lambda: Case.objects.all(),
        "indicator": lambda: Indicator.objects.filter(result__partnership=p, by_sex=True).first(),
        "headers": lambda: ["sexe", "annee_naissance"],
        "proposals": lambda: [],
        "rows": lambda: [("F", None, 3), ("F", TargetGroup.objects.first(), 2)],
        "request": lambda: signed_in(world["users"]["coordination"]),
        "roles": lambda: INVITABLE_ROLES,
        "email": lambda: "invitee@example.org",
        "networks": lambda: Network.objects.all(),
        "douars": lambda: p.douars.all(),
        "project": lambda: p.projects.first(),
        "survey": lambda: a_survey(p),
    }
    params = {}
    for klass in cls.__mro__:
        if "__init__" in vars(klass):
            for name, param in inspect.signature(klass.__init__).parameters.items():
                if param.kind == param.KEYWORD_ONLY:
                    params.setdefault(name, param.default is param.empty)
    for name in GIVEN_BY_THE_FORM.get(cls.__name__, ()):
        params.pop(name)
    missing = [name for name, needed in params.items() if needed and name not in known]
    assert not missing, f"{cls.__name__} needs {missing}: add them to arguments() in this test"
    return {name: known[name]() for name in params if name in known}


def visible_fields(form):
    """The form's visible bound fields (not `form.visible_fields()`: a form may iterate otherwise)."""
    return [form[name] for name in form.fields if not form[name].is_hidden]


def widgets(html, field):
    return lxml.html.fragment_fromstring(html, create_parent="div").xpath(f'.//*[@name="{field.html_name}"]')


def model_validators(cls, name) -> list:
    """The validators a model declares on the field a model form takes `name` from (the form field
    does not get them: they only run once the form is valid, with no `min`/`max` in the page)."""
    model = getattr(getattr(cls, "_meta", None), "model", None)
    if model is None or name not in {f.name for f in model._meta.concrete_fields}:
        return []
    return list(model._meta.get_field(name)._validators)


@pytest.mark.parametrize("cls", project_forms())
def test_the_page_says_what_the_server_requires(cls, world):
    form = cls(**arguments(cls, world))
    for field in visible_fields(form):
        spec = field.field
        html = str(field)
        found = widgets(html, field)
        if isinstance(spec, forms.ChoiceField) and not spec.choices:
            continue  # a list filled from the database, empty in this world
        assert found, f"{field.name}: no input named {field.html_name}"
        # HTML forbids `required` on checkbox lists, and a select with no empty first option needs none.
        exempt = isinstance(spec.widget, forms.CheckboxSelectMultiple) or (
            isinstance(spec.widget, forms.Select) and not spec.widget.use_required_attribute(field.initial)
        )
        if spec.required and not exempt:
            assert all(w.get("required") is not None for w in found), (
                f"{field.name} is required, the page does not say"
            )
        if isinstance(spec, forms.DecimalField) and isinstance(spec.widget, forms.TextInput):
            # A decimal typed as text (a number input drops a decimal comma): the page asks for the
            # decimal keypad; its bounds are checked on the server and said in the error.
            assert found[0].get("inputmode") == "decimal", f"{field.name}: a decimal text with no inputmode"
        elif isinstance(spec, NUMBER):
            declared = list(spec.validators) + model_validators(cls, field.name)
            for validator, attr in ((MinValueValidator, "min"), (MaxValueValidator, "max")):
                limits = [v.limit_value for v in declared if isinstance(v, validator)]
                if limits:
                    assert found[0].get(attr) is not None, f"{field.name} has a {attr} the page does not give"
            assert found[0].get("min") is not None, f"{field.name}: a number with no lower bound"
        if getattr(spec, "max_length", None) and found[0].tag in ("input", "textarea"):
            assert found[0].get("maxlength") == str(spec.max_length), f"{field.name}: maxlength missing"
        if spec.required and isinstance(spec.widget, forms.RadioSelect):
            values = [w.get("value") for w in found]
            assert "" not in values, f"{field.name}: a required radio offers the empty choice"


@pytest.mark.parametrize("cls", project_forms())
def test_each_error_is_printed_after_its_own_field(cls, world):
    form = cls(data={}, **arguments(cls, world))
    form.is_valid()
    page = lxml.html.fragment_fromstring(form.as_p(), create_parent="div")  # as the pages render them
    for field in visible_fields(form):
        for error in field.errors:
            boxes = page.xpath(f'.//div[contains(@class, "field")][.//*[@name="{field.html_name}"]]')
            assert len(boxes) == 1, field.name
            assert error in boxes[0].text_content(), f"{field.name}: its error is not beside it"
    if form.non_field_errors():
        assert page.xpath('./div[@class="errors" and @role="alert"]')


def test_the_proposal_form_preselects_unknown_and_counts_nobody_as_a_girl():
    from participation.forms import BallotForm, PaperProposalForm, ProposalForm

    for form in (ProposalForm(), PaperProposalForm(), BallotForm()):
        sex = lxml.html.fragment_fromstring(str(form["sex"])).xpath(".//option[@selected]")
        age = lxml.html.fragment_fromstring(str(form["age_band"])).xpath(".//option[@selected]")
        assert [o.get("value") for o in sex] == ["X"] and [o.get("value") for o in age] == ["nr"]
        assert "---------" not in str(form["sex"]) + str(form["age_band"])


def test_every_app_with_forms_is_scanned():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    # The project's apps: under the checkout, not installed packages (a clone's .venv is inside it).
    ours = [
        a
        for a in apps.get_app_configs()
        if Path(a.path).is_relative_to(root) and "site-packages" not in Path(a.path).parts
    ]
    with_forms = {a.label for a in ours if (Path(a.path) / "forms.py").exists()}
    assert with_forms - {"core"} <= set(APPS)
