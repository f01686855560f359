"""Good practices and lessons learned (capitalisation, R5): items, their documents and links.

An item is written by the partnership's coordination, stays a draft until published, and is then
published to the partnership, to the whole network, or to the public portal. Documents are stored
under a random name outside static and media, and served only by a view after an access check.
"""

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from partnerships.models import Membership, Partnership, Role, Structure
from people.models import TargetGroup
from programme.models import GovernancePrinciple

from .search import fold

EDITOR_ROLES = (Role.COORDINATOR, Role.ADMIN)


class Audience(models.TextChoices):
    PARTNERSHIP = "partenariat", _("le partenariat")
    NETWORK = "reseau", _("tout le réseau")
    PUBLIC = "public", _("le public (portail)")


class GoodPracticeQuerySet(models.QuerySet):
    def published(self) -> Self:
        return self.filter(status=GoodPractice.Status.PUBLISHED)

    def public(self) -> Self:
        """Published to the public: what the portal may show to anyone."""
        return self.published().filter(audience=Audience.PUBLIC)

    def visible_to(self, user) -> Self:
        """Fail closed. Editors (coordinator, partnership admin) see their partnership's drafts; every
        role of a partnership sees its published items; anyone holding a role in a network (through a
        partnership of it, or as its officer) sees items published to the network or the public."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:  # the platform administrator reads what is published, never drafts
            return self.published()
        mine = Membership.objects.filter(user=user)
        edited = mine.filter(role__in=EDITOR_ROLES).values("partnership_id")
        member_of = mine.exclude(partnership__isnull=True).values("partnership_id")
        networks = Partnership.objects.filter(
            Q(memberships__user=user) | Q(network__memberships__user=user)
        ).values("network_id")
        wide = [Audience.NETWORK, Audience.PUBLIC]
        published = Q(status=GoodPractice.Status.PUBLISHED)
        return self.filter(
            Q(partnership__in=edited)
            | (published & Q(partnership__in=member_of))
            | (published & Q(audience__in=wide, partnership__network__in=networks))
        ).distinct()


class GoodPractice(models.Model):
    """A good practice or lesson learned, in French and optionally in Arabic."""

    class Kind(models.TextChoices):
        PRACTICE = "pratique", _("bonne pratique")
        LESSON = "lecon", _("leçon apprise")

    class Status(models.TextChoices):
        DRAFT = "brouillon", _("brouillon")
        PUBLISHED = "publie", _("publié")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="good_practices")
    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices, default=Kind.PRACTICE)
    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(_("résumé"), max_length=3000)
    lessons = models.TextField(_("leçons apprises"), max_length=5000, blank=True)
    title_ar = models.CharField(_("titre en arabe"), max_length=200, blank=True)
    summary_ar = models.TextField(_("résumé en arabe"), max_length=3000, blank=True)
    lessons_ar = models.TextField(_("leçons en arabe"), max_length=5000, blank=True)
    structure = models.ForeignKey(
        Structure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="good_practices",
        verbose_name=_("structure d'origine"),
    )
    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="good_practices",
        verbose_name=_("activité d'origine"),
    )
    result = models.ForeignKey(
        "programme.Result",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="good_practices",
        verbose_name=_("résultat"),
    )
    target_groups = models.ManyToManyField(
        TargetGroup, related_name="good_practices", blank=True, verbose_name=_("publics cibles concernés")
    )
    principles = models.ManyToManyField(
        GovernancePrinciple,
        related_name="good_practices",
        blank=True,
        verbose_name=_("principes de bonne gouvernance appliqués"),
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    audience = models.CharField(
        _("publié pour"), max_length=12, choices=Audience.choices, default=Audience.PARTNERSHIP
    )
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # docs/security.md 21: optimistic locking (core/locking.py); every edit claims it.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GoodPracticeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at", "-pk"]
        verbose_name = _("bonne pratique")
        verbose_name_plural = _("bonnes pratiques")
        constraints = [
            models.CheckConstraint(
                name="practice_published_has_date",
                condition=Q(status="brouillon") | Q(published_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status", "audience"], name="practice_scope")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(
            " ".join(
                [self.title, self.summary, self.lessons, self.title_ar, self.summary_ar, self.lessons_ar]
            )
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def _in_language(self, field: str) -> str:
        if (get_language() or "fr")[:2] == "ar":
            return getattr(self, f"{field}_ar") or getattr(self, field)
        return getattr(self, field)

    @property
    def shown_title(self) -> str:
        return self._in_language("title")

    @property
    def shown_summary(self) -> str:
        return self._in_language("summary")

    @property
    def shown_lessons(self) -> str:
        return self._in_language("lessons")


class Attachment(models.Model):
    """A document (PDF, PNG, JPEG) of a good practice. Stored under `stored_name` (random) in
    settings.UPLOAD_ROOT; the uploaded file's own name is never kept: staff choose `display_name`."""

    practice = models.ForeignKey(GoodPractice, on_delete=models.CASCADE, related_name="attachments")
    display_name = models.CharField(_("nom affiché"), max_length=120)
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    content_type = models.CharField(max_length=40, editable=False)
    size = models.PositiveIntegerField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["practice", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                name="attachment_type_allowed",
                condition=Q(content_type__in=["application/pdf", "image/png", "image/jpeg"]),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[self.content_type]


class Link(models.Model):
    """A link of a good practice (a film, a brochure online…)."""

    practice = models.ForeignKey(GoodPractice, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(_("intitulé"), max_length=200)
    url = models.URLField(_("adresse"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["practice", "pk"]
        verbose_name = _("lien")
        verbose_name_plural = _("liens")

    def __str__(self) -> str:
        return self.label


class ProjectPrinciple(models.Model):
    """A project applies a governance principle (tagged by the coordinator)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="principle_links")
    principle = models.ForeignKey(GovernancePrinciple, on_delete=models.CASCADE, related_name="project_links")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["principle", "project"]
        verbose_name = _("principe appliqué par un projet")
        verbose_name_plural = _("principes appliqués par des projets")
        constraints = [
            models.UniqueConstraint(fields=["project", "principle"], name="project_principle_once")
        ]

    def __str__(self) -> str:
        return f"{self.project} — {self.principle}"
