"""Settings come from the environment, and production refuses unsafe ones."""

import os
import subprocess
import sys

# Production needs the public site's address (for links in messages and QR codes).
PUBLIC_URL = "https://dichvucong.example.vn"


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
        {
            "MOTCUA_ENV": "production",
            "SECRET_KEY": "s" * 50,
            "MOTCUA_PUBLIC_URL": PUBLIC_URL,
            "MOTCUA_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_production_refuses_to_start_without_its_public_address(tmp_path):
    """Links in e-mails and QR codes would point to a development address."""
    for missing in ("", "  "):
        result = _start(
            {
                "MOTCUA_ENV": "production",
                "SECRET_KEY": "s" * 50,
                "MOTCUA_PUBLIC_URL": missing,
                "MOTCUA_VAR_DIR": str(tmp_path),
            }
        )
        assert result.returncode != 0 and "MOTCUA_PUBLIC_URL" in result.stderr


def test_development_starts_without_a_public_address(tmp_path):
    result = _start({"MOTCUA_PUBLIC_URL": "", "MOTCUA_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr


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


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    """The attack report found W004 (no HSTS) and W008 (no SSL redirect); nothing may remain."""
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            # The test process allows async-unsafe calls for Playwright; a deployment does not.
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
            },
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "MOTCUA_ENV": "production",
            "SECRET_KEY": "k" * 20 + "-production-secret-" + "q" * 20,
            "ALLOWED_HOSTS": "dichvucong.example.vn",
            "MOTCUA_PUBLIC_URL": PUBLIC_URL,
            "MOTCUA_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _production_setting(name: str, env: dict | None = None) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; "
            f"print(settings.{name})",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "MOTCUA_ENV": "production",
            "SECRET_KEY": "p" * 50,
            "MOTCUA_PUBLIC_URL": PUBLIC_URL,
            **(env or {}),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_requires_a_second_factor_of_sensitive_roles_by_default(tmp_path):
    env = {"MOTCUA_VAR_DIR": str(tmp_path)}
    assert _production_setting('MOTCUA["REQUIRE_2FA"]', env) == "roles"
    assert _production_setting("SECURE_SSL_REDIRECT", env) == "True"
    assert _production_setting("SESSION_COOKIE_SECURE", env) == "True"


def test_a_redis_cache_url_is_shared_by_both_caches(tmp_path):
    env = {"MOTCUA_VAR_DIR": str(tmp_path), "CACHE_URL": "redis://127.0.0.1:6399/0"}
    backends = _production_setting(
        'CACHES["default"]["BACKEND"], settings.CACHES["pages"]["LOCATION"]', env
    )
    assert backends == "motcua.core.cache.RedisCache redis://127.0.0.1:6399/0"
