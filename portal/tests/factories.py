"""Good practices for the tests: a draft of a new partnership unless told otherwise.

GoodPracticeFactory(partnership=p)                                  # a draft
GoodPracticeFactory(partnership=p, published=True, audience="reseau")  # published to the network
"""

import datetime

import factory
from factory.django import DjangoModelFactory

from partnerships.tests.factories import PartnershipFactory
from portal.models import Audience, GoodPractice


class GoodPracticeFactory(DjangoModelFactory):
    class Meta:
        model = GoodPractice

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Pratique de test {n}")
    summary = "Résumé de test."

    class Params:
        published = factory.Trait(
            status=GoodPractice.Status.PUBLISHED,
            audience=Audience.PUBLIC,
            published_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        )


def film_and_brochure(partnership) -> None:
    """Two practices published to the public, each titled in French and Arabic, to search for."""
    GoodPracticeFactory(
        partnership=partnership,
        published=True,
        title="Film « Le vivre ensemble »",
        title_ar="فيلم « العيش المشترك »",
    )
    GoodPracticeFactory(
        partnership=partnership,
        published=True,
        title="Brochure « À la rencontre des nouveaux habitants »",
        title_ar="كتيب « لقاء مع الساكنة الجدد »",
    )
