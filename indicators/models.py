"""Derived tables of the indicator engine (indicators/engine.py): kept up to date in the same
transaction as each write of the raw rows, recomputed from them by `rebuild_indicators`."""

from django.db import models
from django.db.models import Q

from partnerships.models import Partnership
from programme.models import Indicator, Result


class IndicatorMember(models.Model):
    """Derived: a person counted by an indicator in a period, with how many matching attendances.

    Kept up to date in the same transaction as each write (indicators/engine.py); `rebuild_indicators`
    recomputes it from the raw rows. `sex` is the person's sex when she was counted.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period = models.PositiveSmallIntegerField()
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    sex = models.CharField(max_length=1)
    hits = models.PositiveIntegerField()

    class Meta:
        ordering = ["indicator", "period", "person"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period", "person"], name="indicator_member_once")
        ]
        indexes = [models.Index(fields=["person"], name="indicator_member_person")]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.period}/{self.person_id}: {self.hits}"


class IndicatorValue(models.Model):
    """Derived: the actual value of an indicator for a period and sex (F, M, X = not recorded)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = models.PositiveSmallIntegerField()
    sex = models.CharField(max_length=1)
    value = models.IntegerField(default=0)

    class Meta:
        ordering = ["indicator", "period", "sex"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period", "sex"], name="indicator_value_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.period}/{self.sex}: {self.value}"


class ActivityTotal(models.Model):
    """Derived: a year's activities of a partnership per result (none = linked to no result) and kind,
    with their participants by sex (F, M, X = not recorded): attendance by the person's sex plus
    tallies. An activity of two results counts under each.

    The annual report reads its participant figures here: a few dozen rows instead of a year's
    activities (reports/annual.py, bench/reports.py). Kept up to date with every write of activities,
    their result links, attendance, tallies and people (indicators/engine.py); `rebuild_indicators`
    recomputes it.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    result = models.ForeignKey(Result, on_delete=models.CASCADE, null=True, related_name="+")
    kind = models.CharField(max_length=20)
    activities = models.IntegerField(default=0)
    f = models.IntegerField(default=0)
    m = models.IntegerField(default=0)
    x = models.IntegerField(default=0)

    class Meta:
        ordering = ["partnership", "year", "result", "kind"]
        # NULL results are distinct in a unique index: the unlinked rows get one of their own.
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "year", "result", "kind"], name="activity_total_once"
            ),
            models.UniqueConstraint(
                fields=["partnership", "year", "kind"],
                condition=Q(result__isnull=True),
                name="activity_total_unlinked_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id}/{self.year}/{self.result_id}/{self.kind}: {self.activities}"
