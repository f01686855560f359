"""The admin's indicator page saves through `save_indicator`: a definition changed there leaves the
figures right at once (the derived values of the new definition), as the coordinator's page does."""

from django.test import Client
from django.urls import reverse

from activities.models import Activity
from conftest import verify_second_factor
from core.tests.test_locking import post_data  # what the browser posts for an unchanged form
from indicators import engine
from programme.models import Indicator


def test_an_admin_save_recounts_the_indicator(partnership, users):
    counted = Indicator.objects.filter(result__partnership=partnership, source=Indicator.Source.ACTIVITIES)
    indicator = counted.order_by("pk").first()
    held = set(partnership.activities.values_list("kind", flat=True))
    unheld = next(kind for kind in Activity.Kind.values if kind not in held)  # its counts are all 0
    before = {k: v for k, v in engine.values_of(partnership).items() if k[0] == indicator.pk and v}
    assert before, "the demo counts activities for it"
    client = Client()
    client.force_login(users["admin"])
    verify_second_factor(client, users["admin"])
    url = reverse("admin:programme_indicator_change", args=[indicator.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = post_data(page.context["adminform"].form)
    for formset in page.context["inline_admin_formsets"]:
        data.update(post_data(formset.formset.management_form))
        for form in formset.formset.forms:
            data.update(post_data(form))
    data["activity_kinds"] = f'["{unheld}"]'

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    indicator.refresh_from_db()
    assert indicator.activity_kinds == [unheld] and indicator.version > 1
    after = {k: v for k, v in engine.values_of(partnership).items() if k[0] == indicator.pk and v}
    assert after != before
    engine.rebuild(partnership)  # a full recount from the rows finds exactly what the save left
    assert {k: v for k, v in engine.values_of(partnership).items() if k[0] == indicator.pk and v} == after
