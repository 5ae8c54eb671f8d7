"""Settings come from the environment, and production refuses unsafe ones."""

import os
import subprocess
import sys


def _start(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django, os; django.setup(); print('started')"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "motcua.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_the_development_secret():
    result = _start({"MOTCUA_ENV": "production", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = _start({"MOTCUA_ENV": "production", "SECRET_KEY": "x" * 50, "DEBUG": "true"})
    assert result.returncode != 0 and "DEBUG" in result.stderr


def test_production_starts_with_a_real_secret(tmp_path):
    result = _start(
        {"MOTCUA_ENV": "production", "SECRET_KEY": "s" * 50, "MOTCUA_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def _debug(env: dict) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG, settings.LANGUAGE_CODE, settings.TIME_ZONE)",
        ],
        env={
            **{k: v for k, v in os.environ.items() if k != "DEBUG"},
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_debug_is_off_unless_asked():
    assert _debug({}) == "False vi Asia/Ho_Chi_Minh"
    assert _debug({"DEBUG": "true"}).startswith("True")
