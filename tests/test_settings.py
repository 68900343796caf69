"""Production settings: a secret key is required and `check --deploy` is clean."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    # Only what production would have: no test-only switches (the browser tests set one).
    unset = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_check_deploy_is_clean_in_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="plans.example.gov.uk",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def proxy_header(**env):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after the shell's auto-import banner


def test_the_proxy_https_header_is_trusted_only_when_configured():
    assert proxy_header() == "None"
    assert proxy_header(TRUST_PROXY_SSL_HEADER="1") == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_load_demo_refuses_a_production_site():
    result = run_manage("load_demo", SECRET_KEY="a-long-random-production-secret-key-0123456789")
    assert result.returncode != 0
    assert "DEBUG is off" in result.stderr and "--force" in result.stderr
