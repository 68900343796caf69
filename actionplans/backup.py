"""Backup and restore of everything the service holds: every table (records, history, sessions,
the task queue) and every evidence file, in one .tar.gz archive.

The archive holds data.xml (Django's dumpdata, with natural keys for content types and
permissions, which `migrate` makes afresh) and evidence/ (PRIVATE_MEDIA_ROOT as it was).
A restore goes only into a database that has been migrated and nothing more, and an empty
evidence folder: it never merges into, or overwrites, a service in use.
"""

import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist
from django.core.management import call_command
from django.core.serializers import xml_serializer
from django.db import connection, transaction
from django.test import override_settings

from core.errors import Refused

# XML, not JSON: Django's JSON encoder cuts times to milliseconds; XML keeps microseconds,
# which order the history.
DATA = "data.xml"
EVIDENCE = "evidence"

# Made by `migrate` itself: never in an archive, and allowed in the "empty" database.
MADE_BY_MIGRATE = {"contenttypes.ContentType", "auth.Permission"}
# Rows that data migrations put in a new database; the archive's rows replace them on restore.
SEEDED_BY_MIGRATIONS = {
    "auth.Group",
    "auth.Group_permissions",
    "reporting.Layout",
    "reporting.LayoutColumn",
}


class Serializer(xml_serializer.Serializer):
    """Django's XML, except that a reference to a row that is gone is written as the id it holds,
    not looked up for its natural key (which failed the whole backup). History keeps ids with no
    database constraint, and a sign-in deleted before sign-ins that history names were kept
    (people.py) left such references: the archive holds what the database holds, and gives it
    back as it was."""

    def handle_fk_field(self, obj, field):
        natural = self.use_natural_foreign_keys
        model, held = field.remote_field.model, getattr(obj, field.attname)
        if natural and hasattr(model, "natural_key") and held is not None:
            try:
                getattr(obj, field.name)  # fetched (and kept on obj) as Django would
            except ObjectDoesNotExist:
                natural = False
        self.use_natural_foreign_keys, kept = natural, self.use_natural_foreign_keys
        try:
            super().handle_fk_field(obj, field)
        finally:
            self.use_natural_foreign_keys = kept


Deserializer = xml_serializer.Deserializer  # a format needs both; the archive loads as XML
FORMAT = "backup-xml"


def _models():
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed]


def backup(path):
    """Write the archive to `path`; return (rows, files) counted into it.

    The tables are read in one read-only transaction, so the data is one moment's (on PostgreSQL
    at REPEATABLE READ: the site may keep running while it is taken).
    """
    media = Path(settings.PRIVATE_MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp, transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        rows = sum(
            m._default_manager.count() for m in _models() if _label(m) not in MADE_BY_MIGRATE
        )
        data = Path(tmp) / DATA
        serializers.register_serializer(FORMAT, __name__)
        call_command(
            "dumpdata",
            natural_foreign=True,
            exclude=["contenttypes", "auth.permission"],
            format=FORMAT,
            output=str(data),
            verbosity=0,
        )
        files = 0
        with tarfile.open(path, "w:gz") as archive:
            archive.add(data, arcname=DATA)
            for file in sorted(p for p in media.rglob("*") if p.is_file()):
                archive.add(file, arcname=f"{EVIDENCE}/{file.relative_to(media).as_posix()}")
                files += 1
    return rows, files


def _label(model):
    return model._meta.label


def what_is_there():
    """Tables with rows a freshly migrated database would not have, and whether files exist."""
    tables = [
        f"{_label(m)} ({m._default_manager.count()} rows)"
        for m in _models()
        if _label(m) not in MADE_BY_MIGRATE | SEEDED_BY_MIGRATIONS and m._default_manager.exists()
    ]
    media = Path(settings.PRIVATE_MEDIA_ROOT)
    files = media.exists() and any(media.iterdir())
    return tables, files


@transaction.atomic
def restore(path):
    """Load the archive at `path` into an empty database and evidence folder; return the counts.

    Raises Refused, changing nothing, when the database or the folder already holds anything.
    """
    tables, files = what_is_there()
    if tables:
        raise Refused(
            "The database is not empty, so nothing was restored. Restore into a new database "
            "made with `manage.py migrate` and nothing else. It holds: " + ", ".join(tables[:10])
        )
    media = Path(settings.PRIVATE_MEDIA_ROOT)
    if files:
        raise Refused(f"The evidence folder {media} is not empty, so nothing was restored.")
    with tarfile.open(path, "r:gz") as archive, tempfile.TemporaryDirectory() as tmp:
        members = archive.getmembers()
        names = {m.name for m in members}
        if DATA not in names:
            raise Refused(f"{path} is not a backup made by backup_data: it has no {DATA}.")
        archive.extract(DATA, tmp, filter="data")
        # The archive has the history as it was: restoring must not write history of its own.
        # Content types are looked up by natural key: from this database, not a stale cache.
        ContentType.objects.clear_cache()
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            for label in SEEDED_BY_MIGRATIONS:
                apps.get_model(label)._default_manager.all().delete()
            call_command("loaddata", str(Path(tmp) / DATA), verbosity=0)
        evidence = [m for m in members if m.name.startswith(f"{EVIDENCE}/") and m.isfile()]
        media.mkdir(parents=True, exist_ok=True)
        for member in evidence:
            # filter="data" refuses absolute paths, "..", links and devices.
            member.name = member.name.removeprefix(f"{EVIDENCE}/")
            archive.extract(member, media, filter="data")
    rows = sum(m._default_manager.count() for m in _models() if _label(m) not in MADE_BY_MIGRATE)
    return rows, len(evidence)
