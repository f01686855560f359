"""What reports, imports and background jobs need to remember; everything else is read from the other apps.

- Narrative: the coordinator's text per result and year (drafts saved, the final version locked).
- ImportMapping: which column of a Kobo/ODK export feeds which field, remembered per form.
- ImportedSubmission: the `_uuid` of every submission imported, so a re-import adds nothing.
- Job: a piece of long work (import, PDF, export) run as a task, with its progress and its output.
  Its uploaded file and its output are encrypted at rest and kept JOB_FILES_HOURS hours after it
  finished (`manage.py purge_job_files`); an import's upload is dropped as soon as it finishes.
  The upload is a file under JOB_FILES_ROOT, encrypted chunk by chunk, never held whole in memory
  (docs/security.md 33); the `upload` column is only read for jobs created before that.
"""

import datetime
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.crypto import FILE_CHUNK, EncryptedBinaryField, read_encrypted_file, write_encrypted_file
from partnerships.models import Partnership
from programme.models import Result


class NarrativeQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """Narratives of the partnerships where the user holds a role (the report is read by all of them)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(partnership__in=Partnership.objects.visible_to(user))


class Narrative(models.Model):
    """The coordinator's account of one result in one year. Once final, it no longer changes."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        FINAL = "final", _("version finale")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="narratives")
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="narratives")
    year = models.PositiveSmallIntegerField(_("année"))
    text = models.TextField(_("récit"), blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NarrativeQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "year", "result__order"]
        verbose_name = _("récit")
        verbose_name_plural = _("récits")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "result", "year"], name="narrative_once_per_year"),
            models.CheckConstraint(condition=Q(status__in=["draft", "final"]), name="narrative_status_known"),
        ]

    def __str__(self) -> str:
        return f"{self.result} {self.year}"

    @property
    def locked(self) -> bool:
        return self.status == self.Status.FINAL


class ImportMappingQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """Mappings of the partnerships where the user holds a role; the import pages decide who uses them."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(partnership__in=Partnership.objects.visible_to(user))


class ImportMapping(models.Model):
    """Field → column of one form's export (the form is known by its kind and its set of headers)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="import_mappings")
    kind = models.CharField(_("type d'activité"), max_length=20)
    fingerprint = models.CharField(max_length=64)
    columns = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImportMappingQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "kind", "fingerprint"], name="import_mapping_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.fingerprint[:8]}"


class ImportedSubmission(models.Model):
    """One Kobo/ODK submission imported, by its `_uuid`: the key of idempotent re-imports."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    uuid = models.CharField(max_length=64)
    activity = models.ForeignKey("activities.Activity", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partnership", "uuid"]
        constraints = [models.UniqueConstraint(fields=["partnership", "uuid"], name="submission_once")]

    def __str__(self) -> str:
        return self.uuid


class JobQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """A job is its author's: nobody else sees its progress or downloads its output."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(user=user)


class Job(models.Model):
    """Long work run in the background, with a progress the user can leave and come back to."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("import")
        PDF = "pdf", _("rapport PDF")
        XLSX = "xlsx", _("rapport XLSX")
        EXPORT = "export", _("export")

    class Status(models.TextChoices):
        QUEUED = "queued", _("en attente")
        RUNNING = "running", _("en cours")
        DONE = "done", _("terminé")
        FAILED = "failed", _("échec")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="jobs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(default=dict)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    upload = EncryptedBinaryField(null=True, blank=True)  # jobs from before JOB_FILES_ROOT only
    output = EncryptedBinaryField(null=True, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # docs/security.md 29: the worker running the job beats (at start and with each progress report);
    # `attempts` counts the runs begun, so a job whose worker died is retried once, then failed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)  # "host:pid:start" of the process running it
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("tâche")
        verbose_name_plural = _("tâches")

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    def shown_message(self) -> str:
        """The message in the reader's language. Twiza's own are stored as their French source
        (gettext_noop) with their arguments in `params["message_args"]`, and translated here."""
        if not self.message:
            return ""
        args = self.params.get("message_args")
        return gettext(self.message) % args if args else gettext(self.message)

    @staticmethod
    def store_upload(uploaded) -> str:
        """Writes an uploaded file under JOB_FILES_ROOT, encrypted a chunk at a time as Django hands it
        over (never read whole); returns the name to keep in the job's `params["upload_file"]`."""
        root = Path(settings.JOB_FILES_ROOT)
        root.mkdir(parents=True, exist_ok=True)
        name = f"{secrets.token_hex(16)}.upload"
        write_encrypted_file(root / name, uploaded.chunks(FILE_CHUNK))
        return name

    @property
    def upload_path(self) -> Path | None:
        name = self.params.get("upload_file")
        return Path(settings.JOB_FILES_ROOT) / name if name else None

    @contextmanager
    def open_upload(self) -> Iterator[IO[bytes]]:
        """The uploaded file in clear, decrypted a chunk at a time into a temporary file (the XLSX
        reader seeks), deleted on leaving. A job from before JOB_FILES_ROOT has it in its column."""
        with tempfile.TemporaryFile() as clear:
            if self.upload_path:
                for chunk in read_encrypted_file(self.upload_path):
                    clear.write(chunk)
            elif self.upload is not None:
                clear.write(self.upload)
            clear.seek(0)
            yield clear

    def delete_upload(self) -> None:
        """Deletes the uploaded file (the caller clears the `upload` column of older jobs)."""
        if self.upload_path:
            self.upload_path.unlink(missing_ok=True)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def files_expire_at(self) -> datetime.datetime | None:
        """When the job's files stop being served (and `purge_job_files` deletes them)."""
        if self.finished_at is None:
            return None
        return self.finished_at + datetime.timedelta(hours=settings.JOB_FILES_HOURS)

    @property
    def expired(self) -> bool:
        expires = self.files_expire_at
        return expires is not None and timezone.now() >= expires
