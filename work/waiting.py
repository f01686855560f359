"""What waits for one person, computed from the data at each request (no stored to-do rows).

One function per kind of work. Each asks the app's own door (`<app>/access.py`) for the rows she may
act on, and returns a `Waiting`: how many, the rows she may see and where the work is done. The
page "Mon travail" shows the rows; the daily digest (`send_digests`) only the counts (`counts`).

A case appears by its code and a number of days only, and only to the listener it is assigned to
(`cases.access.cases_without_follow_up`, docs/security.md 4 and 10).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from activities.access import decisions_due
from cases.access import cases_without_follow_up, referrals_without_feedback
from collect.access import waiting_submissions
from participation.access import forums_closing
from partnerships.access import invitations_pending
from programme.access import measurements_to_approve
from projects.access import late_milestones
from reports.access import finished_jobs

# How far ahead a committee's decision counts as due, and how long a finished job stays listed.
DECISION_AHEAD_DAYS = 7
JOB_DAYS = 7


@dataclass(frozen=True)
class Item:
    """One row: what (in her own page only, never in an e-mail) and the page where it is done."""

    text: str
    url: str


@dataclass(frozen=True)
class Waiting:
    """One kind of work: its key (the digest's), its title, the page of the whole list, the rows."""

    kind: str
    title: str | Promise
    url: str
    items: list[Item] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)


def follow_up_days() -> int:
    """N: a case without a follow-up for N days waits (setting WORK_FOLLOW_UP_DAYS, default 14)."""
    return settings.WORK_FOLLOW_UP_DAYS


def _days(n: int) -> str:
    return ngettext("%(n)s jour", "%(n)s jours", n) % {"n": n}


def figures_to_approve(user, today: datetime.date) -> Waiting:
    """Submitted figures she may approve: not those she saved or submitted herself (four eyes)."""
    rows = measurements_to_approve(user)
    items = [
        Item(
            f"{m.indicator.code} · {m.period} · {m.get_sex_display()} : {m.value}",
            reverse(
                "programme:measurements",
                kwargs={"slug": m.indicator.result.partnership.slug, "code": m.indicator.code},
            ),
        )
        for m in rows
    ]
    url = (
        items[0].url
        if len(items) == 1
        else _first(rows, lambda m: m.indicator.result.partnership.slug, "programme:framework")
    )
    return Waiting("figures", gettext_lazy("Chiffres à approuver"), url, items)


def decisions(user, today: datetime.date) -> Waiting:
    """Steering committees' decisions not done, due within DECISION_AHEAD_DAYS days or overdue."""
    rows = decisions_due(user, today + datetime.timedelta(days=DECISION_AHEAD_DAYS))
    items = []
    for decision in rows:
        due = decision.due_date or today  # never empty here: `decisions_due` filters on it
        if due < today:
            when = _("en retard depuis le %(date)s") % {"date": date_format(due)}
        else:
            when = _("échéance le %(date)s") % {"date": date_format(due)}
        activity = decision.activity
        items.append(
            Item(
                f"{decision} — {when}",
                reverse("activities:detail", kwargs={"slug": activity.partnership.slug, "pk": activity.pk}),
            )
        )
    url = (
        items[0].url
        if len(items) == 1
        else _first(rows, lambda d: d.activity.partnership.slug, "activities:list")
    )
    return Waiting("decisions", gettext_lazy("Décisions du comité de pilotage à suivre"), url, items)


def cases(user, today: datetime.date) -> Waiting:
    """Her own open cases without a follow-up for N days: the case's code and the days, nothing else."""
    rows = cases_without_follow_up(user, today, follow_up_days())
    items = [
        Item(
            _("Dossier %(code)s : sans suivi depuis %(days)s") % {"code": case.code, "days": _days(days)},
            reverse("cases:case", kwargs={"slug": case.partnership.slug, "code": case.code}),
        )
        for case, days in rows
    ]
    url = _first([case for case, _days in rows], lambda c: c.partnership.slug, "cases:centre")
    return Waiting("cases", gettext_lazy("Dossiers sans suivi"), url, items)


def referrals(user, today: datetime.date) -> Waiting:
    """Referrals without the partner's feedback: the case's code and the days, nothing else."""
    rows = referrals_without_feedback(user, today, follow_up_days())
    items = [
        Item(
            _("Dossier %(code)s : orientation sans retour depuis %(days)s")
            % {"code": referral.case.code, "days": _days(days)},
            reverse(
                "cases:case", kwargs={"slug": referral.case.partnership.slug, "code": referral.case.code}
            ),
        )
        for referral, days in rows
    ]
    url = _first([r for r, _days in rows], lambda r: r.case.partnership.slug, "cases:centre")
    return Waiting("referrals", gettext_lazy("Orientations sans retour"), url, items)


def forums(user, today: datetime.date) -> Waiting:
    """Forums whose current phase closes this week (their day falls within the next seven days)."""
    rows = forums_closing(user, today, today + datetime.timedelta(days=6))
    items = [
        Item(
            _("%(forum)s : « %(phase)s » se termine le %(date)s")
            % {"forum": forum.title, "phase": forum.get_phase_display(), "date": date_format(forum.date)},
            reverse("participation:forum", kwargs={"slug": forum.partnership.slug, "pk": forum.pk}),
        )
        for forum in rows
    ]
    url = _first(rows, lambda f: f.partnership.slug, "participation:forums")
    return Waiting("forums", gettext_lazy("Phases de forum qui se terminent cette semaine"), url, items)


def jobs(user, today: datetime.date) -> Waiting:
    """Her own imports and exports done or failed in the last JOB_DAYS days."""
    since = timezone.now() - datetime.timedelta(days=JOB_DAYS)
    rows = list(finished_jobs(user, since))
    items = [
        Item(
            f"{job.get_kind_display()} · {job.get_status_display()} · "
            f"{date_format(timezone.localtime(job.finished_at), 'SHORT_DATETIME_FORMAT')}",
            reverse("reports:job", kwargs={"slug": job.partnership.slug, "pk": job.pk}),
        )
        for job in rows
    ]
    url = items[0].url if items else ""
    return Waiting("jobs", gettext_lazy("Imports et exports terminés ou en échec"), url, items)


def invitations(user, today: datetime.date) -> Waiting:
    """Invitations sent in the teams she manages and not yet accepted (72 hours to do so)."""
    rows = invitations_pending(user)
    items = [
        Item(
            _("%(email)s · %(role)s · expire le %(date)s")
            % {
                "email": invitation.email,
                "role": invitation.get_role_display(),
                "date": date_format(timezone.localtime(invitation.expires_at), "SHORT_DATETIME_FORMAT"),
            },
            reverse("partnerships:team", kwargs={"slug": invitation.partnership.slug}),
        )
        for invitation in rows
    ]
    url = _first(rows, lambda i: i.partnership.slug, "partnerships:team")
    return Waiting("invitations", gettext_lazy("Invitations en attente"), url, items)


def submissions(user, today: datetime.date) -> Waiting:
    """Submissions from phones or Kobo waiting in the review queue of the structures she collects
    for (collect/access.py): the form, the structure and the day received, nothing of the answers."""
    rows = waiting_submissions(user)
    items = [
        Item(
            _("%(form)s · %(structure)s · reçu le %(date)s")
            % {
                "form": submission.get_kind_display(),
                "structure": submission.structure.label,
                "date": date_format(timezone.localtime(submission.created_at), "SHORT_DATE_FORMAT"),
            },
            reverse("collect:review", kwargs={"slug": submission.partnership.slug, "pk": submission.pk}),
        )
        for submission in rows
    ]
    url = _first(rows, lambda s: s.partnership.slug, "collect:queue")
    return Waiting("submissions", gettext_lazy("Envois à revoir"), url, items)


def milestones(user, today: datetime.date) -> Waiting:
    """Milestones past their due date and not reached, of the projects she manages."""
    rows = late_milestones(user, today)
    items = [
        Item(
            _("%(project)s : « %(milestone)s », en retard depuis le %(date)s")
            % {
                "project": milestone.project.title,
                "milestone": milestone.title,
                "date": date_format(milestone.due or today),  # never empty: filtered on
            },
            reverse(
                "projects:detail",
                kwargs={"slug": milestone.project.partnership.slug, "pk": milestone.project_id},
            ),
        )
        for milestone in rows
    ]
    url = _first(rows, lambda m: m.project.partnership.slug, "projects:list")
    return Waiting("milestones", gettext_lazy("Jalons de projet en retard"), url, items)


def _first(rows: list, slug_of: Callable, name: str) -> str:
    """The list page `name` of the first row's partnership ("" without a row)."""
    return reverse(name, kwargs={"slug": slug_of(rows[0])}) if rows else ""


# In the order the page shows them.
KINDS: list[Callable[..., Waiting]] = [
    figures_to_approve,
    decisions,
    cases,
    referrals,
    forums,
    jobs,
    invitations,
    submissions,
    milestones,
]


def waiting_for(user, today: datetime.date | None = None) -> list[Waiting]:
    """Every kind of work, for `user`, as of `today` (the local date by default)."""
    today = today or timezone.localdate()
    return [kind(user, today) for kind in KINDS]


def counts(user, today: datetime.date | None = None) -> dict[str, int]:
    """How many of each kind wait: what the daily digest may say (never what they are)."""
    return {waiting.kind: waiting.count for waiting in waiting_for(user, today)}
