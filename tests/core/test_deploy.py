import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Production keys for the citizens' personal information (hotline/core/pii.py): 32 bytes each, base64.
PII_KEYS = {
    "HOTLINE_PII_KEYS": "k1:QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
    "HOTLINE_PII_INDEX_KEY": "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=",
}


def manage(*args, **env):
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k" * 20 + "a-long-random-production-secret-0123456789-xyz",
        ALLOWED_HOSTS="hotline.example.org",
        **PII_KEYS,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_run_without_the_keys_of_personal_information():
    result = manage("check", "--deploy", DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="hotline.example.org")
    assert result.returncode != 0
    assert "hotline.E001" in result.stderr and "HOTLINE_PII_KEYS" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="hotline.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


# -- docker-compose.yml: a complete production example ---------------------------------------------


def compose():
    import yaml

    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture
def live_server_production(db):
    """gunicorn with the compose file's config and production settings, on a free port (waited for by
    probing, not by sleeping)."""
    import socket
    import time

    from django.db import connection

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DEBUG="0", SECRET_KEY="k" * 50, ALLOWED_HOSTS="hotline.example.org", DATABASE_URL=url, **PII_KEYS)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "hotline.wsgi:application",
            "--config",
            "python:hotline.gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    import urllib.request

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # ready when a worker has booted (and warmed up) and answers
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10).close()
            break
        except OSError:
            assert server.poll() is None, server.stderr.read().decode()
            time.sleep(0.2)
    yield port
    server.terminate()
    server.wait(timeout=30)


def test_the_compose_file_runs_no_demo_data_one_beat_one_migration_job_behind_a_tls_proxy():
    services = compose()["services"]
    commands = {
        name: " ".join(svc.get("command", [])) if isinstance(svc.get("command"), list) else svc.get("command", "")
        for name, svc in services.items()
    }
    assert not any("seeddemo" in command for command in commands.values())
    assert "HOTLINE_DEMO_PASSWORD" not in (ROOT / "docker-compose.yml").read_text()
    beats = [name for name, command in commands.items() if " beat" in command]
    assert beats == ["beat"] and services["beat"]["deploy"]["replicas"] == 1
    assert "hotline.core.beat:GuardedDatabaseScheduler" in commands["beat"]
    migrating = [name for name, command in commands.items() if "migrate" in command]
    assert migrating == ["migrate"] and services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    # The web is reached through the proxy only; the proxy serves the collected static files.
    assert "ports" not in services["web"]
    assert services["proxy"]["image"].startswith("caddy")
    assert "static:/srv/static:ro" in services["proxy"]["volumes"]
    assert "static:/app/staticfiles" in services["migrate"]["volumes"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile and "file_server" in caddyfile
    # The application connects as a role that owns no table; migrations run as the owner.
    assert "hotline_app:" in services["web"]["environment"]["DATABASE_URL"]
    assert "//hotline:" in services["migrate"]["environment"]["DATABASE_URL"]


def test_every_command_of_the_compose_file_exists():
    from django.core.management import get_commands

    services = compose()["services"]
    known = set(get_commands())
    for name, svc in services.items():
        command = svc.get("command")
        if not command or name in {"db", "redis", "proxy"}:
            continue
        text = " ".join(command) if isinstance(command, list) else command
        for part in text.split("&&"):
            words = part.replace("sh -c", "").split()
            if "manage.py" in words:
                assert words[words.index("manage.py") + 1] in known, (name, part)
            elif words[0] == "gunicorn":
                assert words[1] == "hotline.wsgi:application"
                assert "python:hotline.gunicorn" in words
                import hotline.gunicorn  # noqa: F401 (the config module imports)
            elif words[0] == "celery":
                assert words[1:3] == ["-A", "hotline"] and words[3] in {"worker", "beat"}
            else:
                raise AssertionError(f"{name}: unknown command {part}")


def test_the_web_healthcheck_passes_with_the_compose_defaults(live_server_production):
    """The compose file's own probe, against a production-settings server (DEBUG off, HTTPS redirect on,
    ALLOWED_HOSTS the site name): it must answer 200 on plain HTTP at 127.0.0.1."""
    import json
    import urllib.request

    test = compose()["services"]["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    probe = test[3].replace("127.0.0.1:8000", f"127.0.0.1:{live_server_production}")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    with urllib.request.urlopen(f"http://127.0.0.1:{live_server_production}/healthz", timeout=5) as answer:
        assert json.loads(answer.read()) == {"status": "ok"}
    # Anything else is redirected to HTTPS as production must be.
    request = urllib.request.Request(
        f"http://127.0.0.1:{live_server_production}/accounts/login/", headers={"Host": "hotline.example.org"}
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(NoRedirect).open(request, timeout=5)
        raise AssertionError("not redirected")
    except urllib.error.HTTPError as exc:
        assert exc.code == 301 and exc.headers["Location"].startswith("https://hotline.example.org/")


def test_the_image_installs_the_pdf_fonts_and_the_tested_lock():
    dockerfile = (ROOT / "Dockerfile").read_text()
    ensure_pdf = (ROOT / "bin" / "ensure-pdf").read_text()
    packages = ensure_pdf.split("for pkg in ")[1].split(";")[0].split()
    assert packages and all(package in dockerfile for package in packages)
    assert "--require-hashes -r requirements/base.txt" in dockerfile
    assert "--no-deps" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", "*.sqlite3", "var/"} <= set(ignored)


def test_the_locks_pin_what_pyproject_pins():
    """make install and the image install the hash-checked locks; they must hold pyproject's versions."""
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locks = {name: (ROOT / "requirements" / f"{name}.txt").read_text().lower() for name in ("base", "test")}
    pinned = {
        "base": project["dependencies"],
        "test": project["dependencies"] + project["optional-dependencies"]["test"],
    }
    for lock, requirements in pinned.items():
        for requirement in requirements:
            exact = re.match(r"([a-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;]+)", requirement.lower())
            if exact is None:  # a range (Django's LTS series): the lock holds one release of it
                name = re.match(r"[a-z0-9_.\-]+", requirement.lower()).group()
                assert f"\n{name}==" in locks[lock], f"{name} is not in requirements/{lock}.txt (make lock)"
                continue
            name, version = exact.groups()
            assert f"\n{name}=={version} " in locks[lock], (
                f"{name}=={version} is not in requirements/{lock}.txt (make lock)"
            )


def test_ci_tests_exactly_the_versions_the_image_installs():
    import re

    def pins(name):
        return dict(re.findall(r"^([a-z0-9_.\-]+)==(\S+)", (ROOT / "requirements" / f"{name}.txt").read_text(), re.M))

    production, tested = pins("base"), pins("test")
    assert production and all(tested.get(name) == version for name, version in production.items()), {
        name: (version, tested.get(name)) for name, version in production.items() if tested.get(name) != version
    }
