"""People of the registry for the tests, registered through `people.actions.register_person` (the
partnership's next code, the encrypted name and its search index), as the registry's form does; and
the indicator that counts them, to check that an edit of the registry keeps the figures right."""

import factory
from factory.django import DjangoModelFactory

from partnerships.tests.factories import PartnershipFactory
from people import actions
from people.models import Person, Sex, TargetGroup


class PersonFactory(factory.Factory):
    """A person of `partnership` (held by `structure`, if given), with her consent."""

    class Meta:
        model = Person

    partnership = factory.LazyAttribute(
        lambda p: p.structure.partnership if p.structure is not None else PartnershipFactory()
    )
    structure = None
    sex = Sex.F
    birth_year = 1990
    consent = True
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("people are registered through people.actions: use create()")

    @classmethod
    def _create(cls, model_class, partnership, **fields):
        return actions.register_person(partnership, **fields)


class TargetGroupFactory(DjangoModelFactory):
    """A target group (reference data, global): the one of that code when it exists already, so a
    test may ask for the roadmap's codes (`jeunes-handicap`…) whether or not the demo is loaded."""

    class Meta:
        model = TargetGroup
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"f-groupe-{n}")
    name = factory.LazyAttribute(lambda group: f"Groupe {group.code}")
