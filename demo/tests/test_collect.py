"""The demo's offline collection (demo/collect.py): the office's phone and one submission waiting in
its queue — shown on the queue page and in "Mon travail" — and not one figure moved."""

from django.urls import reverse

from collect.models import Device, Submission
from demo.world import load_collection
from indicators.models import IndicatorValue
from work.waiting import counts


def figures() -> list[tuple]:
    return list(IndicatorValue.objects.order_by("pk").values_list("indicator_id", "period", "sex", "value"))


def test_the_office_has_a_phone_and_one_submission_to_review_and_no_figure_moves(world, client_for):
    partnership, accueil = world["partnership"], world["users"]["accueil"]
    before = figures()
    load_collection(partnership)
    load_collection(partnership)  # safe twice: nothing more
    assert figures() == before
    [device] = Device.objects.filter(user=accueil)
    assert device.label == "Téléphone du bureau" and device.structure.code == "bureau-migrants"
    [waiting] = Submission.objects.all()
    assert waiting.status == Submission.Status.WAITING and waiting.activity is None
    assert waiting.device == device and waiting.structure == device.structure
    assert waiting.problems[0]["field"] == "presences/presents"
    assert counts(accueil)["submissions"] == 1
    review = reverse("collect:review", kwargs={"slug": partnership.slug, "pk": waiting.pk})
    assert (
        review
        in client_for("accueil")
        .get(reverse("collect:queue", kwargs={"slug": partnership.slug}))
        .content.decode()
    )
    assert review in client_for("accueil").get(reverse("work:mine")).content.decode()
