"""backup_data and restore_data: a round trip gives back every table and every evidence file."""

from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from .conftest import pdf, restore_groups

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def tables():
    """Every row of every table (history, sessions and through tables too), in primary-key order.

    A many-to-many link's own id means nothing (dumpdata writes the links, not their ids), so
    those tables are compared as sets of links.
    """
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed:
            continue
        if model._meta.auto_created:
            links = model._default_manager.values_list(
                *(f.attname for f in model._meta.fields if not f.primary_key)
            )
            rows[model._meta.label] = sorted(links)
        else:
            rows[model._meta.label] = list(model._default_manager.order_by("pk").values())
    return rows


def empty_the_database():
    """What a new database is after `migrate`: its content types, permissions and role groups."""
    from django.core.management.color import no_style
    from django.db import connection

    keep = {"django_content_type", "auth_permission", "django_migrations"}
    tables = [t for t in connection.introspection.django_table_names() if t not in keep]
    connection.ops.execute_sql_flush(
        connection.ops.sql_flush(no_style(), tables, reset_sequences=True)
    )
    restore_groups()


def files(root):
    root = Path(root)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_round_trip_gives_back_every_table_and_file(committed_world, client, settings, tmp_path):
    world = committed_world
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.officer)
    url = reverse("action_update", args=[world.own.pk])
    for text, upload in [
        ("Briefing held.", pdf("briefing.pdf")),
        ("Poster printed.", SimpleUploadedFile("poster.png", PNG, content_type="image/png")),
    ]:
        data = {"written_on": "18/10/2012", "period_label": "", "text": text, "status": ""}
        response = client.post(url, {**data, "evidence": [upload]})
        assert response.status_code == 302
    before, evidence_before = tables(), files(settings.PRIVATE_MEDIA_ROOT)
    assert before["actionplans.Evidence"] and before["actionplans.HistoricalProgressUpdate"]
    assert len(evidence_before) >= 2

    archive = tmp_path / "backup.tar.gz"
    call_command("backup_data", "-o", str(archive), verbosity=0)

    # Never into a database in use: refused, nothing changed.
    with pytest.raises(CommandError, match="The database is not empty, so nothing was restored"):
        call_command("restore_data", str(archive))
    assert tables() == before

    empty_the_database()
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "restored"
    call_command("restore_data", str(archive), verbosity=0)

    after = tables()
    assert after.keys() == before.keys()
    for label, rows in before.items():
        assert after[label] == rows, label
    assert files(settings.PRIVATE_MEDIA_ROOT) == evidence_before


def test_restoring_the_groups_leaves_every_app_to_dumpdata(db):
    """restore_groups runs the groups' data migrations on the live app registry."""
    before = {a.label: a.models_module for a in apps.get_app_configs()}
    restore_groups()
    assert {a.label: a.models_module for a in apps.get_app_configs()} == before


def test_restore_refuses_a_folder_with_files_and_an_archive_that_is_not_a_backup(
    transactional_db, settings, tmp_path
):
    import tarfile

    empty_the_database()
    stray = tmp_path / "evidence"
    stray.mkdir()
    (stray / "left-over.pdf").write_bytes(b"%PDF-")
    settings.PRIVATE_MEDIA_ROOT = stray
    archive = tmp_path / "a.tar.gz"
    call_command("backup_data", "-o", str(archive), verbosity=0)
    with pytest.raises(CommandError, match="evidence folder .* is not empty"):
        call_command("restore_data", str(archive))

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "empty"
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as tar:
        tar.add(stray / "left-over.pdf", arcname="evidence/left-over.pdf")
    with pytest.raises(CommandError, match="is not a backup made by backup_data"):
        call_command("restore_data", str(other))
