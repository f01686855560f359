"""The results framework as data: outcome, results R1–R5, indicators and their targets by sex."""

from typing import Self

from django.db import models
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from partnerships.models import Partnership, TranslatedMixin


class Result(TranslatedMixin):
    """The outcome (`OC`) or one of the results (`R1`…`R5`) of a partnership's logical framework."""

    class Level(models.TextChoices):
        OUTCOME = "outcome", _("objectif (outcome)")
        RESULT = "result", _("résultat")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="results")
    code = models.CharField(_("code"), max_length=5)
    level = models.CharField(_("niveau"), max_length=10, choices=Level.choices)
    name = models.TextField(_("énoncé"))
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partnership", "order", "code"]  # equal orders: by code, the same on every database
        verbose_name = _("résultat")
        verbose_name_plural = _("résultats")
        constraints = [models.UniqueConstraint(fields=["partnership", "code"], name="result_code_unique")]

    def __str__(self) -> str:
        # Shortened between words, never inside one (issue 14: labels cut mid-word).
        return f"{self.code} — {Truncator(self.label).words(10)}"


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """Indicators of the partnerships the user may see (aggregates are for every role there)."""
        return self.filter(result__partnership__in=Partnership.objects.visible_to(user))


class Indicator(TranslatedMixin):
    """An indicator and how its actual values are computed from the work itself.

    `source` says what is counted; the filters narrow it (an empty list means no filter):
    `target_groups` (codes) apply to people and tallies, `activity_kinds` and `structures` (codes)
    to activities. A `survey` indicator counts the favourable answers to `survey_question`.
    The engine (indicators/engine.py) keeps the actual values up to date.
    """

    TRANSLATED = ("name", "unit")

    class Period(models.TextChoices):
        ANNUAL = "annual", _("par an")
        CUMULATIVE = "cumulative", _("cumulé sur le programme")

    class Source(models.TextChoices):
        PEOPLE = "people", _("personnes distinctes (inscrites, au moins une présence)")
        PARTICIPATIONS = "participations", _("participations (présences et comptages)")
        ACTIVITIES = "activities", _("nombre d'activités")
        CASES = "cases", _("dossiers du centre d'écoute (statistiques consenties)")
        FORUMS = "forums", _("participations des jeunes aux forums (propositions et votes)")
        MANUAL = "manual", _("chiffre saisi (avec approbation)")
        SURVEY = "survey", _("réponses favorables à une enquête")

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=12)
    name = models.CharField(_("intitulé"), max_length=300)
    unit = models.CharField(_("unité"), max_length=40, default="personnes")
    period = models.CharField(_("période"), max_length=10, choices=Period.choices)
    by_sex = models.BooleanField(_("désagrégé par sexe"), default=True)
    baseline = models.PositiveIntegerField(_("valeur de référence"), null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("année de référence"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(_("source"), max_length=15, choices=Source.choices, default=Source.MANUAL)
    target_groups = models.JSONField(_("publics cibles"), default=list, blank=True)
    activity_kinds = models.JSONField(_("types d'activité"), default=list, blank=True)
    structures = models.JSONField(_("structures"), default=list, blank=True)
    # Source `survey`: the question whose favourable answers are counted, "survey code/question code".
    survey_question = models.CharField(
        _("question d'enquête (code-enquête/code-question)"), max_length=110, blank=True
    )
    public = models.BooleanField(_("publié sur le portail"), default=False)
    # docs/security.md 21: optimistic locking (core/locking.py); every edit claims it.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["result__order", "order", "code"]
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        constraints = [models.UniqueConstraint(fields=["result", "code"], name="indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class Target(models.Model):
    """A target of an indicator for one period and sex.

    `year` is the year for an annual indicator and empty for the whole programme (cumulative).
    `sex` is F, M or T (total, for indicators not disaggregated by sex).
    """

    class Sex(models.TextChoices):
        F = "F", _("femmes")
        M = "M", _("hommes")
        TOTAL = "T", _("total")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("année"), null=True, blank=True)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices)
    value = models.PositiveIntegerField(_("cible"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "year", "sex"]
        verbose_name = _("cible")
        verbose_name_plural = _("cibles")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "sex"], name="target_unique"),
            models.UniqueConstraint(
                fields=["indicator", "sex"], condition=Q(year__isnull=True), name="target_unique_cumulative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year or '∑'} {self.sex}: {self.value}"


class GovernancePrinciple(TranslatedMixin):
    """A principle of the commune's good-governance referential; activities and projects are tagged with it."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="principles")
    code = models.SlugField(_("code"))
    name = models.CharField(_("principe"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partnership", "order", "code"]  # equal orders: by code, the same on every database
        verbose_name = _("principe de bonne gouvernance")
        verbose_name_plural = _("principes de bonne gouvernance")
        constraints = [models.UniqueConstraint(fields=["partnership", "code"], name="principle_code_unique")]


# The period of a derived value: a year, or cumulative(Y) from the programme's start to 31 Dec Y.
# Plain integers, so that a period is one small column everywhere (derived values, measurements).
PROGRAMME = 0  # the whole programme, for old callers: engine.values_of answers it as cumulative(end_year)
CUMULATIVE = 10000


def cumulative(year: int) -> int:
    """The period from the programme's start to 31 December of `year`."""
    return CUMULATIVE + year


def is_cumulative(period: int) -> bool:
    return period >= CUMULATIVE


def period_year(period: int) -> int:
    """The year a period ends in (the year itself for a year)."""
    return period - CUMULATIVE if period >= CUMULATIVE else period


class MeasurementQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        return self.filter(indicator__result__partnership__in=Partnership.objects.visible_to(user))

    def approved_values(self, partnership) -> dict[tuple[int, int, str], int]:
        """The approved figures of a partnership: {(indicator_id, year, sex): value}, one query.

        Each is what was achieved in that year (1 Jan–31 Dec), also for a cumulative indicator:
        its figure "through Y" is the sum of its approved years ≤ Y. `sex` is F or M for an
        indicator disaggregated by sex, T otherwise.
        """
        rows = self.filter(
            indicator__result__partnership=partnership, status=Measurement.Status.APPROVED
        ).values_list("indicator_id", "period", "sex", "value")
        return {(indicator, year, sex): value for indicator, year, sex, value in rows}


class Measurement(models.Model):
    """A figure that cannot come from records (plants planted…), per year and sex.

    `period` is a year of the programme: what was achieved from 1 Jan to 31 Dec of that year, for
    annual and cumulative indicators alike (the cumulative is summed from the years). `sex` is F or
    M for an indicator disaggregated by sex, T (total) for one that does not count people by sex.

    Draft → submitted → approved (locked). A correction after approval reopens it with a reason;
    every step is kept in MeasurementEvent. Only approved figures count. Four eyes: whoever saved
    the value last or submitted it may not approve it (`authors`).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        SUBMITTED = "submitted", _("soumis")
        APPROVED = "approved", _("approuvé")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    period = models.PositiveSmallIntegerField(_("année"))
    sex = models.CharField(_("sexe"), max_length=1, choices=Target.Sex.choices)
    value = models.PositiveIntegerField(_("valeur"))
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "period", "sex"]
        verbose_name = _("chiffre saisi")
        verbose_name_plural = _("chiffres saisis")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period", "sex"], name="measurement_once"),
            # A year, never the old "whole programme" period 0 (see docs/decisions.md).
            models.CheckConstraint(condition=Q(period__gte=1900), name="measurement_period_is_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period} {self.sex}: {self.value} ({self.status})"

    def authors(self) -> set[int]:
        """Ids of who saved the current value last and who submitted it: they may not approve it.

        Reads `events.all()`, so a prefetched history costs no query.
        """
        authors = set()
        for action in (MeasurementEvent.Action.SAVED, MeasurementEvent.Action.SUBMITTED):
            last = [e for e in self.events.all() if e.action == action]
            if last and last[-1].user_id is not None:
                authors.add(last[-1].user_id)
        return authors

    def approval(self) -> "MeasurementEvent | None":
        """The event that approved the figure as it stands, or None if it is not approved."""
        if self.status != self.Status.APPROVED:
            return None
        approvals = [e for e in self.events.all() if e.action == MeasurementEvent.Action.APPROVED]
        return approvals[-1] if approvals else None


class MeasurementEvent(models.Model):
    """One step in the life of a manual figure: who did what, the value then, and why.

    `user` is empty only for a move made by a data migration (`MOVED`), which no person did.
    """

    class Action(models.TextChoices):
        SAVED = "saved", _("enregistré")
        SUBMITTED = "submitted", _("soumis")
        APPROVED = "approved", _("approuvé")
        REJECTED = "rejected", _("renvoyé")
        REOPENED = "reopened", _("rouvert pour correction")
        MOVED = "moved", _("déplacé par une migration")

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    value = models.PositiveIntegerField()
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measurement", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.measurement_id} {self.action} {self.value}"
