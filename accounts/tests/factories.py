"""Users for the tests, never clashing with the demo's (which is in the test database too).

Personas are traits of `partnerships.tests.factories.MembershipFactory` (a role needs a place);
the platform administrator, who holds no membership, is the `admin` trait here.
"""

import factory
from factory.django import DjangoModelFactory, Password

from accounts.models import User
from conftest import PASSWORD  # hashed with the tests' fast hasher when a user is made


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    # "f-" + a number: the demo's usernames are plain words, so these can never clash.
    username = factory.Sequence(lambda n: f"f-user-{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@tests.twiza.invalid")
    password = Password(PASSWORD)

    class Params:
        admin = factory.Trait(
            is_staff=True, is_superuser=True, username=factory.Sequence(lambda n: f"f-admin-{n}")
        )
