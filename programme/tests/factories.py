"""Results, indicators, targets and principles of a results framework for the tests.

Codes are the roadmap's shape (`R4`, `R4.1`) but the texts are the factories' own, so no test reads
the demo's wording. Manual figures are not made here: a test enters them through `programme.actions`
(`save_measurement`, `submit_measurement`, `approve_measurement`…), as the pages do, so that their
history follows.

    r4 = ResultFactory(partnership=partnership, code="R4")
    plants = IndicatorFactory(result=r4, code="R4.1", manual=True)   # a figure entered by hand
    TargetFactory(indicator=plants, year=None, sex="T", value=1500)
"""

import factory
from factory.django import DjangoModelFactory

from partnerships.tests.factories import PartnershipFactory
from programme.models import GovernancePrinciple, Indicator, Result, Target


class ResultFactory(DjangoModelFactory):
    """A result (`R<n>`) of a partnership; `outcome=True` for its outcome (`OC`)."""

    class Meta:
        model = Result
        django_get_or_create = ("partnership", "code")

    partnership = factory.SubFactory(PartnershipFactory)
    code = factory.Sequence(lambda n: f"R{n % 90 + 1}")
    level = Result.Level.RESULT
    name = factory.LazyAttribute(lambda r: f"Énoncé de test du résultat {r.code}")
    order = factory.Sequence(lambda n: n)

    class Params:
        outcome = factory.Trait(code="OC", level=Result.Level.OUTCOME, order=0)


class IndicatorFactory(DjangoModelFactory):
    """An indicator of a result, counting people by sex each year unless a trait says otherwise:
    `manual` (a figure entered by hand, in total: plants…), `activities` (a number of activities)."""

    class Meta:
        model = Indicator

    result = factory.SubFactory(ResultFactory)
    code = factory.Sequence(lambda n: f"R9.{n}")
    name = factory.LazyAttribute(lambda i: f"Indicateur de test {i.code}")
    unit = "personnes"
    period = Indicator.Period.ANNUAL
    by_sex = True
    source = Indicator.Source.PEOPLE
    order = factory.Sequence(lambda n: n)

    class Params:
        manual = factory.Trait(source=Indicator.Source.MANUAL, by_sex=False, unit="plants")
        activities = factory.Trait(source=Indicator.Source.ACTIVITIES, by_sex=False, unit="activités")


class TargetFactory(DjangoModelFactory):
    """A target of an indicator: by default for the whole programme, in total."""

    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    year = None
    sex = Target.Sex.TOTAL
    value = 100


class GovernancePrincipleFactory(DjangoModelFactory):
    class Meta:
        model = GovernancePrinciple

    partnership = factory.SubFactory(PartnershipFactory)
    code = factory.Sequence(lambda n: f"f-principe-{n}")
    name = factory.Sequence(lambda n: f"Principe de test {n}")
    order = factory.Sequence(lambda n: n)
