"""The reference deployment holds together: compose.yaml's services, the proxy's configuration,
the image, the production settings' environment, the cache chosen by COOPATLAS_CACHE_URL, and
the documentation naming what an operator sets (docs/deployment.md)."""

import ast
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from config.settings.base import _caches
from tests.conftest import REPO

COMPOSE = yaml.safe_load((REPO / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
CADDYFILE = (REPO / "deploy" / "Caddyfile").read_text()
DOC = (REPO / "docs" / "deployment.md").read_text()


def _required_environment() -> tuple[str, ...]:
    """REQUIRED_ENVIRONMENT of config/settings/prod.py, read without importing it."""
    tree = ast.parse((REPO / "config" / "settings" / "prod.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "REQUIRED_ENVIRONMENT":
            return ast.literal_eval(node.value)
    raise AssertionError("REQUIRED_ENVIRONMENT not found in config/settings/prod.py")


def _app_services() -> dict[str, dict]:
    return {name: service for name, service in SERVICES.items() if "serve" in service.get("command", [])}


def _filled(environment: dict[str, str]) -> dict[str, str]:
    """The compose environment with each ${VAR…} replaced by a value, as compose would."""
    values = {"SITE_HOST": "atlas.example.org"}
    return {
        name: re.sub(r"\$\{(\w+)[^}]*\}", lambda m: values.get(m.group(1), "example-value"), str(value))
        for name, value in environment.items()
    }


def test_compose_runs_two_app_servers_a_database_a_proxy_a_worker_and_redis():
    """Two services run `coopatlas serve --prod`, from one build; PostgreSQL, Caddy, Redis and a
    `coopatlas worker` beside them."""
    apps = _app_services()
    assert sorted(apps) == ["app1", "app2"]
    assert all(service["command"][:3] == ["coopatlas", "serve", "--prod"] for service in apps.values())
    assert all("--no-worker" in service["command"] for service in apps.values())
    assert {service["build"] for service in apps.values()} == {"."}
    assert SERVICES["db"]["image"].startswith("postgres:")
    assert SERVICES["proxy"]["image"].startswith("caddy:")
    assert SERVICES["redis"]["image"].startswith("redis:")
    assert SERVICES["worker"]["command"] == ["coopatlas", "worker"]
    assert SERVICES["worker"]["build"] == "."


def test_every_variable_the_production_settings_require_is_set_for_each_process():
    """SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS (REQUIRED_ENVIRONMENT) in every server's and the
    worker's environment, the shared cache and folders too; secrets never written in the file."""
    required = _required_environment()
    assert set(required) >= {"SECRET_KEY", "DATABASE_URL"}
    for name in [*_app_services(), "worker"]:
        environment = SERVICES[name]["environment"]
        for variable in required:
            assert environment.get(variable), (name, variable)
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.prod"
        assert environment["COOPATLAS_CACHE_URL"].startswith("redis://redis:")
        assert environment["COOPATLAS_UPLOADS_DIR"] and environment["COOPATLAS_MEDIA_ROOT"]
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")  # from .env, never in the file
        assert "${POSTGRES_PASSWORD" in environment["DATABASE_URL"]
        mounted = {volume.split(":")[1] for volume in SERVICES[name]["volumes"]}
        assert {environment["COOPATLAS_UPLOADS_DIR"], environment["COOPATLAS_MEDIA_ROOT"]} <= mounted


def test_the_compose_environment_loads_the_production_settings(tmp_path):
    """With compose's environment (its ${…} filled), config.settings.prod loads: Redis cache, one
    trusted proxy, /sante/ exempt from the HTTPS redirect."""
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
        **_filled(SERVICES["app1"]["environment"]),
    }
    env["COOPATLAS_VAR_DIR"] = str(tmp_path)
    script = (
        "import json; from django.conf import settings; import django; django.setup(); "
        "print(json.dumps([settings.CACHES['default']['BACKEND'], settings.TRUSTED_PROXIES, "
        "settings.SECURE_REDIRECT_EXEMPT, settings.ALLOWED_HOSTS, settings.DEBUG]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    backend, proxies, exempt, hosts, debug = json.loads(result.stdout.splitlines()[-1])
    assert backend == "coopatlas.core.cache.ForgivingRedisCache"
    assert proxies == 1 and exempt == ["^sante/$"] and hosts == ["atlas.example.org"] and debug is False


def test_the_production_settings_name_what_the_environment_lacks(tmp_path):
    """`coopatlas serve --prod` without SECRET_KEY nor DATABASE_URL stops at once, naming them."""
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
        "ALLOWED_HOSTS": "atlas.example.org",
        "COOPATLAS_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "coopatlas.cli", "serve", "--prod", "--prepare-only"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert "SECRET_KEY, DATABASE_URL" in message and "manquante" in message


def test_the_proxy_balances_both_app_servers_and_checks_their_health():
    """Caddy names app1 and app2 (every app service of compose), asks each /sante/ with the site's
    name, passes a request id, and keeps query strings out of its log."""
    (upstreams,) = re.findall(r"reverse_proxy ([^{]+)\{", CADDYFILE)
    assert sorted(upstreams.split()) == sorted(f"{name}:8000" for name in _app_services())
    assert "health_uri /sante/" in CADDYFILE and "health_status 200" in CADDYFILE
    assert "Host {$SITE_HOST}" in CADDYFILE
    assert "header_up X-Request-ID" in CADDYFILE
    assert 'request>uri regexp "\\?.*$" ""' in CADDYFILE
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in SERVICES["proxy"]["volumes"]


def test_the_image_installs_the_package_and_the_javascript_libraries():
    """python:3.11-slim, the package installed with pip, npm ci for the JavaScript libraries."""
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert "pip install -e ." in dockerfile
    assert "npm ci" in dockerfile and "COPY package.json package-lock.json" in dockerfile
    assert re.search(r'CMD \["coopatlas", "serve", "--prod"', dockerfile)


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("", "django.core.cache.backends.locmem.LocMemCache"),
        ("db", "django.core.cache.backends.db.DatabaseCache"),
        ("redis://redis:6379/0", "coopatlas.core.cache.ForgivingRedisCache"),
    ],
)
def test_the_cache_follows_coopatlas_cache_url(url, backend):
    """Nothing: each process's memory; `db`: a table; `redis://…`: the server every process shares."""
    cache = _caches(url)
    assert cache["BACKEND"] == backend
    if url.startswith("redis"):
        assert cache["LOCATION"] == url and cache["OPTIONS"]["socket_timeout"] <= 2


def test_an_unknown_cache_url_is_refused_naming_it():
    with pytest.raises(RuntimeError, match="memcached://x"):
        _caches("memcached://x")


def test_the_deployment_doc_names_every_variable_and_the_daily_jobs():
    """docs/deployment.md names each variable compose sets for the servers, the gunicorn command,
    /sante/, the alerts' timer and the backups."""
    for variable in SERVICES["app1"]["environment"]:
        assert f"`{variable}`" in DOC, variable
    for needed in [
        "coopatlas serve --prod",
        "/sante/",
        "X-Request-ID",
        "coopatlas send-alerts",
        "OnCalendar=",
        "docs/backups.md",
        "coopatlas backup",
    ]:
        assert needed in DOC, needed


@pytest.mark.skipif(
    not shutil.which("caddy"), reason="Caddy is not installed here (Debian: apt-get install caddy)"
)
def test_the_caddyfile_is_valid_for_caddy():
    """Caddy itself reads deploy/Caddyfile (its log filter, health checks and upstreams) without error."""
    result = subprocess.run(
        ["caddy", "validate", "--config", str(REPO / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        env={**os.environ, "SITE_HOST": "atlas.example.org"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Valid configuration" in result.stdout + result.stderr
