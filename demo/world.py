"""The whole demo world, loaded in dependency order (the test world of conftest.py is this one)."""

from accounts.models import User
from indicators import engine
from partnerships.models import Partnership

from . import accounts as accounts_demo
from . import activities as activities_demo
from . import cases as cases_demo
from . import collect as collect_demo
from . import participation as participation_demo
from . import partnerships as partnerships_demo
from . import people as people_demo
from . import portal as portal_demo
from . import programme as programme_demo
from . import projects as projects_demo
from . import reports as reports_demo
from . import territory as territory_demo


def foreign_data() -> list[str]:
    """What in the database is not demo data (then the demo must not touch it)."""
    found = []
    users = User.objects.exclude(username__in=partnerships_demo.DEMO_USERNAMES)
    if users.exists():
        found.append(f"{users.count()} utilisateur(s) hors démo")
    partnerships = Partnership.objects.exclude(slug__in=partnerships_demo.DEMO_PARTNERSHIP_SLUGS)
    if partnerships.exists():
        found.append(f"{partnerships.count()} partenariat(s) hors démo")
    return found


def load_roadmap() -> Partnership:
    """What the roadmap itself says: the partnership, its framework and targets, the demo users."""
    people_demo.load_target_groups()
    partnership = partnerships_demo.load_partnership()
    territory_demo.load_douars(partnership)
    programme_demo.load_framework(partnership)
    partnerships_demo.load_users(partnership)
    partnerships_demo.load_invitation(partnership)
    participation_demo.load(partnership)
    return partnership


def load_all() -> Partnership:
    """Every demo loader, in dependency order; each is idempotent."""
    partnership = load_roadmap()
    activities_demo.load(partnership)
    participation_demo.link_activities(partnership)
    accounts_demo.load_devices()
    cases_demo.load(partnership)
    programme_demo.load_figures(partnership)  # after the users: a figure one of them submitted
    projects_demo.load(partnership)  # R4's projects, after the douars, activities, framework and users
    portal_demo.load(partnership)  # good practices, and the network's second (fictional) partnership
    # Rows without an action (case services, principles…) are bulk-created: recompute the derived
    # indicator tables once, from everything.
    for demo_partnership in Partnership.objects.filter(slug__in=partnerships_demo.DEMO_PARTNERSHIP_SLUGS):
        engine.rebuild(demo_partnership)
    return partnership


def load_jobs(partnership: Partnership) -> None:
    """The demo's background jobs (a failed import of the coordinator, for "Mon travail"). Apart from
    `load_all`: the test world starts without any job (the reports tests count theirs)."""
    reports_demo.load(partnership)


def load_collection(partnership: Partnership) -> None:
    """The migrant office's phone and the one submission waiting in its review queue (issue 17).
    Apart from `load_all`, as the jobs: the test world starts without devices or submissions (the
    collect tests count theirs)."""
    collect_demo.load(partnership)
