"""Writes on good practices that touch files or several rows."""

from django.db import transaction
from django.utils import timezone

from . import documents
from .models import Attachment, GoodPractice, ProjectPrinciple


@transaction.atomic
def publish_practice(practice: GoodPractice, audience: str) -> GoodPractice:
    """Publishes a practice to `audience` (partnership, network or public); editors only (access.py)."""
    practice.status = GoodPractice.Status.PUBLISHED
    practice.audience = audience
    practice.published_at = practice.published_at or timezone.now()
    practice.save(update_fields=["status", "audience", "published_at", "updated_at"])
    return practice


@transaction.atomic
def unpublish_practice(practice: GoodPractice) -> GoodPractice:
    """Back to draft: it leaves the portal, the network and the partnership's library at once."""
    practice.status = GoodPractice.Status.DRAFT
    practice.published_at = None
    practice.save(update_fields=["status", "published_at", "updated_at"])
    return practice


def attach_document(practice: GoodPractice, upload, content_type: str, display_name: str) -> Attachment:
    """Stores a checked upload under a random name and records it; no file is left behind on failure."""
    stored = documents.store(upload)
    try:
        with transaction.atomic():
            return Attachment.objects.create(
                practice=practice,
                display_name=display_name,
                stored_name=stored,
                content_type=content_type,
                size=upload.size,
            )
    except Exception:
        documents.remove(stored)
        raise


def remove_document(attachment: Attachment) -> None:
    """Deletes the row, then the file once the deletion is committed."""
    stored = attachment.stored_name
    with transaction.atomic():
        attachment.delete()
        transaction.on_commit(lambda: documents.remove(stored))


@transaction.atomic
def set_project_principles(project, principles) -> None:
    """The governance principles a followed project applies (replaces the previous set)."""
    ProjectPrinciple.objects.filter(project=project).exclude(principle__in=principles).delete()
    for principle in principles:
        ProjectPrinciple.objects.get_or_create(project=project, principle=principle)
