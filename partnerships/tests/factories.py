"""Networks, partnerships, structures and roles for the tests, with the personas as traits.

Every slug and code starts with "f-", which the demo (also in the test database) never uses, so a
factory row can never clash with a demo row, whatever the demo's text becomes.

    partnership = PartnershipFactory()
    ecoute = persona("ecoute", partnership)       # a listener of its listening centre (made)
    centre = persona("centre", partnership)       # that same centre's coordinator
    MembershipFactory(jour=True, tenant=partnership, user=ecoute)  # a second role for her
"""

import itertools
from decimal import Decimal

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.django import DjangoModelFactory

from accounts.models import User
from accounts.otp import requires_otp
from accounts.tests.factories import UserFactory
from partnerships.models import Douar, Membership, Network, Organisation, Partnership, Role, Structure


def _base36(n: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while True:
        n, digit = divmod(n, 36)
        text = digits[digit] + text
        if n == 0:
            return text


class NetworkFactory(DjangoModelFactory):
    class Meta:
        model = Network

    slug = factory.Sequence(lambda n: f"f-reseau-{n}")
    name = factory.Sequence(lambda n: f"Réseau de test {n}")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"f-commune-{n}")
    name = factory.Sequence(lambda n: f"Commune de test {n}")
    kind = Organisation.Kind.COMMUNE


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    network = factory.SubFactory(NetworkFactory)
    slug = factory.Sequence(lambda n: f"f-partenariat-{n}")
    name = factory.Sequence(lambda n: f"Partenariat de test {n}")
    start_year = 2022
    end_year = 2026
    # Unique, so people's codes (`<prefix>-000001`) never clash between partnerships: "T" and the
    # number in base 36 (5 characters at most, the field's length; the demo's is "BLF").
    code_prefix = factory.Sequence(lambda n: "T" + _base36(n))

    @factory.post_generation
    def communes(self, create, extracted, **kwargs):
        """One commune of its own unless the test passes `communes=[…]`."""
        if create:
            self.communes.set(extracted if extracted is not None else [OrganisationFactory()])


class StructureFactory(DjangoModelFactory):
    """A service of a partnership; the kind by trait: `centre_ecoute`, `bureau_migrants`, `centre_jour`."""

    class Meta:
        model = Structure

    partnership = factory.SubFactory(PartnershipFactory)
    code = factory.Sequence(lambda n: f"f-structure-{n}")
    name = factory.Sequence(lambda n: f"Structure de test {n}")
    kind = Structure.Kind.CREATION_HOUSE
    status = Structure.Status.NEW
    organisation = factory.SubFactory(OrganisationFactory)

    class Params:
        centre_ecoute = factory.Trait(kind=Structure.Kind.LISTENING_CENTRE)
        bureau_migrants = factory.Trait(kind=Structure.Kind.MIGRANT_OFFICE)
        centre_jour = factory.Trait(kind=Structure.Kind.DAY_CENTRE)


class DouarFactory(DjangoModelFactory):
    """A douar of a partnership's territory, with its Arabic name and a point near Belfaa."""

    class Meta:
        model = Douar

    partnership = factory.SubFactory(PartnershipFactory)
    code = factory.Sequence(lambda n: f"f-douar-{n}")
    name = factory.Sequence(lambda n: f"Douar de test {n}")
    translations = factory.LazyAttribute(lambda d: {"ar": {"name": f"دوار {d.name}"}})
    latitude = Decimal("30.04000")
    longitude = Decimal("-9.55000")
    population = 800


def _structure_of_kind(kind):
    """The tenant's first structure of `kind`, made when it has none (personas of one partnership
    then share its listening centre, as the demo's `ecoute` and `centre` do)."""

    def make(membership):
        found = membership.tenant.structures.filter(kind=kind).order_by("pk").first()
        return found or StructureFactory(partnership=membership.tenant, kind=kind)

    return factory.LazyAttribute(make)


class MembershipFactory(DjangoModelFactory):
    """A role in `tenant` (a new partnership unless given). The personas of docs/api.md are traits:
    coordination, ecoute (listener of the tenant's listening centre), centre (its coordinator),
    accueil (migrant office agent), jour (day-centre educator), jette (partner officer), reseau
    (officer of the tenant's network). Structure roles go to the tenant's structure of that kind,
    made when missing.

        MembershipFactory(ecoute=True, tenant=partnership).user
    """

    class Meta:
        model = Membership

    class Params:
        tenant = factory.SubFactory(PartnershipFactory)
        coordination = factory.Trait(role=Role.COORDINATOR)
        jette = factory.Trait(role=Role.PARTNER_OFFICER)
        ecoute = factory.Trait(
            role=Role.LISTENER, structure=_structure_of_kind(Structure.Kind.LISTENING_CENTRE)
        )
        centre = factory.Trait(
            role=Role.CENTRE_COORDINATOR, structure=_structure_of_kind(Structure.Kind.LISTENING_CENTRE)
        )
        accueil = factory.Trait(
            role=Role.OFFICE_AGENT, structure=_structure_of_kind(Structure.Kind.MIGRANT_OFFICE)
        )
        jour = factory.Trait(role=Role.EDUCATOR, structure=_structure_of_kind(Structure.Kind.DAY_CENTRE))
        reseau = factory.Trait(
            role=Role.NETWORK_OFFICER,
            network=factory.LazyAttribute(lambda m: m.tenant.network),
            partnership=None,
        )

    user = factory.SubFactory(UserFactory)
    role = Role.COORDINATOR
    structure = None
    partnership = factory.LazyAttribute(
        lambda m: m.structure.partnership if m.structure is not None else m.tenant
    )
    network = None


_numbers = itertools.count(1)
PERSONA_TRAITS = ["coordination", "ecoute", "centre", "accueil", "jour", "jette", "reseau"]


def persona(name: str, partnership: Partnership | None = None, *, device: bool = True, **user_fields) -> User:
    """The user of persona `name` in `partnership` (a new one when not given). Besides the traits,
    `admin` is the platform administrator (no membership) and `outsider` signs in and holds no role.
    Who must give a second factor (listening-centre staff, the admin) has a confirmed TOTP device, as
    the demo's users do, unless `device=False` (she has still to set one up)."""
    user_fields.setdefault("username", f"f-{name}-{next(_numbers)}")  # readable in a failure
    if name == "admin":
        user = UserFactory(admin=True, **user_fields)
    elif name == "outsider":
        user = UserFactory(**user_fields)
    elif name in PERSONA_TRAITS:
        user = UserFactory(**user_fields)
        MembershipFactory(user=user, tenant=partnership or PartnershipFactory(), **{name: True})
    else:
        raise ValueError(f"unknown persona: {name}")
    if device and requires_otp(user):
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    # factory_boy's __new__ is untyped: calling a factory gives its model's row, here a User.
    return user  # type: ignore[return-value]
