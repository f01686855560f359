"""Invitations (issue 16), and the role log widened to every change of access in a partnership.

The role log is append-only by triggers (0003); SQLite rebuilds the table to alter a column, which
would drop them, so they are lifted for the alterations and put back after, on both vendors.
"""

from importlib import import_module

import django.db.models.deletion
import partnerships.models
from django.conf import settings
from django.db import migrations, models

_append_only = import_module("partnerships.migrations.0003_role_log_append_only")
LIFT = {vendor: (drop, create) for vendor, (create, drop) in _append_only.SQL.items()}
PUT_BACK = _append_only.SQL


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0004_partnership_and_partner_role_translations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Invitation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.EmailField(max_length=254, verbose_name="adresse e-mail")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("admin", "administrateur du partenariat"),
                            ("coordinator", "coordination"),
                            ("partner_officer", "chargé de partenariat"),
                            ("office_agent", "agent du bureau des migrants"),
                            ("educator", "éducateur"),
                        ],
                        max_length=20,
                        verbose_name="rôle",
                    ),
                ),
                ("token_hash", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "expires_at",
                    models.DateTimeField(
                        default=partnerships.models.invitation_expiry, verbose_name="expire le"
                    ),
                ),
                ("accepted_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "verbose_name": "invitation",
                "verbose_name_plural": "invitations",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        _append_only.VendorSQL(LIFT),
        migrations.AddField(
            model_name="rolelog",
            name="partnership_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AlterField(
            model_name="rolelog",
            name="action",
            field=models.CharField(
                choices=[
                    ("proposee", "nomination proposée"),
                    ("retiree", "proposition retirée"),
                    ("confirmee", "nomination confirmée"),
                    ("accorde", "rôle accordé"),
                    ("retire", "rôle retiré"),
                    ("second-facteur", "second facteur réinitialisé"),
                    ("lien-mot-de-passe", "lien de nouveau mot de passe envoyé"),
                    ("invitee", "invitation envoyée"),
                    ("invitation-revoquee", "invitation révoquée"),
                    ("invitation-acceptee", "invitation acceptée"),
                    ("change", "rôle changé"),
                    ("desactive", "compte désactivé"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="rolelog",
            name="subject_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AlterField(
            model_name="rolelog",
            name="subject_username",
            field=models.CharField(max_length=254),
        ),
        migrations.AddIndex(
            model_name="rolelog",
            index=models.Index(fields=["partnership_id", "at"], name="rolelog_partnership_at"),
        ),
        _append_only.VendorSQL(PUT_BACK),
        migrations.AddField(
            model_name="invitation",
            name="accepted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="invitation",
            name="invited_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="invitation",
            name="partnership",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="partnerships.partnership",
            ),
        ),
        migrations.AddField(
            model_name="invitation",
            name="structure",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="partnerships.structure",
                verbose_name="structure",
            ),
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("role__in", ["office_agent", "educator"]), ("structure__isnull", False)),
                    models.Q(
                        ("role__in", ["admin", "coordinator", "partner_officer"]), ("structure__isnull", True)
                    ),
                    _connector="OR",
                ),
                name="invitation_scope_matches_role",
            ),
        ),
    ]
