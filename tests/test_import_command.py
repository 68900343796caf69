"""import_plan and export_plan from the command line."""

import pytest
from django.core.management import CommandError, call_command

from actionplans.models import Plan

from .test_import_shapes import SHEET, xlsx_of

pytestmark = pytest.mark.django_db


def test_import_plan_needs_a_meaning_for_every_column_then_imports(tmp_path, world, capsys):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx_of(SHEET))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_plan", str(path), "--dry-run")
    assert "Notes from the board" in capsys.readouterr().out
    call_command("import_plan", str(path), "--dry-run", "--map", "Notes from the board=")
    assert not Plan.objects.filter(title="Youth Justice Action Plan").exists()
    call_command(
        "import_plan",
        str(path),
        "--map",
        "Notes from the board=progress",
        "--user",
        "manager",
        "--plan-title",
        "Imported YJ plan",
    )
    plan = Plan.objects.get(title="Imported YJ plan")
    assert plan.recommendations.count() == 2
    out = tmp_path / "out.csv"
    call_command("export_plan", "Imported YJ", "--format", "csv", "-o", str(out))
    assert "Chase late assessments" in out.read_text(encoding="utf-8-sig")


def test_import_plan_bad_map_and_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No file"):
        call_command("import_plan", str(tmp_path / "missing.csv"))
    path = tmp_path / "p.csv"
    path.write_text("Recommendation,Action\nR,A\n")
    with pytest.raises(CommandError, match="is not a field"):
        call_command("import_plan", str(path), "--map", "Action=nonsense")
