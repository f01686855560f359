import pytest
from django.contrib import admin
from django.urls import reverse

from partnerships.models import Partnership


def test_the_admin_holds_tenancy_and_settings_never_people_or_cases():
    labels = {model._meta.label for model in admin.site._registry}
    assert {
        "accounts.User",
        "partnerships.Partnership",
        "partnerships.Membership",
        "programme.Indicator",
    } <= labels
    assert not {label for label in labels if label.startswith(("cases.", "people.Person", "participation."))}


@pytest.mark.parametrize("model", ["partnership", "membership", "organisation", "structure"])
def test_the_platform_administrator_manages_partnerships_and_roles(client_for, model):
    url = reverse(f"admin:partnerships_{model}_changelist") if model != "structure" else None
    if url is None:
        url = reverse("admin:partnerships_partnership_change", args=[Partnership.objects.first().pk])
    assert client_for("admin").get(url).status_code == 200
    assert client_for("coordination").get(url).status_code == 302
