"""The results framework as data: outcome, results R1–R5, indicators and their targets by sex."""

from django.db import models
from django.db.models import Q
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
        ordering = ["partnership", "order"]
        verbose_name = _("résultat")
        verbose_name_plural = _("résultats")
        constraints = [models.UniqueConstraint(fields=["partnership", "code"], name="result_code_unique")]

    def __str__(self):
        return f"{self.code} — {self.name[:60]}"


class Indicator(TranslatedMixin):
    class Period(models.TextChoices):
        ANNUAL = "annual", _("par an")
        CUMULATIVE = "cumulative", _("cumulé sur le programme")

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=12)
    name = models.CharField(_("intitulé"), max_length=300)
    unit = models.CharField(_("unité"), max_length=40, default="personnes")
    period = models.CharField(_("période"), max_length=10, choices=Period.choices)
    by_sex = models.BooleanField(_("désagrégé par sexe"), default=True)
    baseline = models.PositiveIntegerField(_("valeur de référence"), null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("année de référence"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["result__order", "order", "code"]
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        constraints = [models.UniqueConstraint(fields=["result", "code"], name="indicator_code_unique")]

    def __str__(self):
        return f"{self.code} — {self.name}"


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

    def __str__(self):
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
        ordering = ["partnership", "order"]
        verbose_name = _("principe de bonne gouvernance")
        verbose_name_plural = _("principes de bonne gouvernance")
        constraints = [models.UniqueConstraint(fields=["partnership", "code"], name="principle_code_unique")]

    def __str__(self):
        return self.name
