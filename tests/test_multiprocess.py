"""Two production servers on one PostgreSQL database: a write through one is seen at once by the
other, whose caches were warm (the partnership page, search, similar partnerships, suggestions).

Each server is a real `coopatlas serve --prod` (gunicorn, the production settings, a single
worker process so that the warmed process is the one asked again), pointed at the test database.
The test speaks to them as the reverse proxy does (X-Forwarded-Proto: https) and signs in with a
real session: the sign-in page, its CSRF token, a POST.
"""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from coopatlas.accounts.models import RoleKind
from coopatlas.atlas.choices import ParticipationRole
from coopatlas.atlas.models import Organisation, Participation, Partnership
from coopatlas.web.contributor import PartnershipEditForm
from tests.accounts.factories import account, grande_synthe, lyon
from tests.atlas.factories import OrganisationFactory, PartnershipFactory
from tests.conftest import REPO

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "jobs"])
START_SECONDS = 300  # the first start collects the static files (a few seconds on a quiet machine)
REDIS = ("127.0.0.1", 6379)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


class Server:
    """One `coopatlas serve --prod` process, its port and its output (JSON log lines)."""

    def __init__(self, name: str, env: dict[str, str], folder: Path) -> None:
        self.port = _free_port()
        self.log = folder / f"server-{name}-{self.port}.log"
        command = [sys.executable, "-m", "coopatlas.cli", "serve", "--prod", "--no-worker"]
        command += ["--workers", "1", "--threads", "4", "--bind", f"127.0.0.1:{self.port}"]
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def health(self) -> tuple[int, dict]:
        connection_ = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection_.request("GET", "/sante/")  # plain HTTP, as the proxy's check inside the network
            answer = connection_.getresponse()
            return answer.status, json.loads(answer.read() or b"{}")
        finally:
            connection_.close()

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server stopped ({self.process.returncode}):\n{self.output()[-3000:]}")
            try:
                status, body = self.health()
            except OSError:
                time.sleep(0.5)
                continue
            assert status == 200, body
            return
        pytest.fail(f"no answer from /sante/ in {START_SECONDS} s:\n{self.output()[-3000:]}")

    def stop(self) -> int:
        self.process.terminate()  # SIGTERM: gunicorn's graceful stop
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return -9


class Visitor:
    """A browser behind the proxy: HTTPS as the proxy says it, cookies kept (Secure ones too)."""

    def __init__(self, server: Server) -> None:
        self.server, self.cookies = server, {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        host = f"127.0.0.1:{self.server.port}"
        headers = {"Host": host, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}, doseq=True)
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://{host}"}
        connection_ = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=120)
        try:
            connection_.request(method, path, body=body, headers=headers)
            answer = connection_.getresponse()
            text = answer.read().decode()
        finally:
            connection_.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return answer.status, dict(answer.headers), text

    def get(self, path: str) -> str:
        status, _headers, text = self.request("GET", path)
        assert status == 200, (path, status, text[:500])
        return text

    def sign_in(self, email: str, password: str) -> None:
        self.get("/connexion/")  # the CSRF cookie
        status, headers, text = self.request("POST", "/connexion/", {"username": email, "password": password})
        assert status == 302, (status, text[:500])
        assert "sessionid" in self.cookies


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory) -> Path:
    """One var/ folder for every server of this module: the static files are collected once."""
    return tmp_path_factory.mktemp("var-multiprocess")


def _environment(var_dir: Path, cache_url: str) -> dict[str, str]:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DATABASE_URL": f"postgres://{credentials}@{host}/{db['NAME']}",
        "SECRET_KEY": "multiprocess-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "COOPATLAS_VAR_DIR": str(var_dir),
        "COOPATLAS_CACHE_URL": cache_url,
        "WHITENOISE_BROTLI_QUALITY": "1",
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
    }
    env.pop("COOPATLAS_DEBUG", None)
    return env


@pytest.fixture(params=["locmem", "redis", "db"])
def two_servers(request, transactional_db, var_dir):
    """Servers A and B, each its own process and port, on the test database and one cache."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "several server processes share one PostgreSQL database; on SQLite the test database "
            "lives in memory, out of other processes' reach"
        )
    cache_url = {"locmem": "", "redis": "redis://127.0.0.1:6379/13", "db": "db"}[request.param]
    if request.param == "redis":
        if not _redis_answers():
            pytest.skip("no Redis server on 127.0.0.1:6379")
        import redis

        redis.Redis(host=REDIS[0], port=REDIS[1], db=13).flushdb()
    env = _environment(var_dir, cache_url)
    first = Server("A", env, var_dir)
    second = Server("B", env, var_dir)
    try:
        first.wait_healthy()
        second.wait_healthy()
        yield first, second
    finally:
        stopped = [first.stop(), second.stop()]
    assert stopped == [0, 0], [first.output()[-2000:], second.output()[-2000:]]


def _authorities():
    """Lyon and Grande-Synthe with no partner, country nor theme in common (no suggestion), an
    editor of Grande-Synthe who publishes directly, and a draft Grande-Synthe–Figuig that
    publishing will make Lyon's partner's partner."""
    town, lyon_ = grande_synthe(), lyon()
    figuig = OrganisationFactory(name="Figuig", country_id="MA", foreign=True)
    ribeira = OrganisationFactory(name="Ribeira Grande", country_id="CV", foreign=True)

    def partnership(title: str, summary: str, french: Organisation, foreign: Organisation, state: str):
        made = PartnershipFactory(title=title, summary=summary, publication_state=state)
        for organisation, role in [
            (french, ParticipationRole.FRENCH_AUTHORITY),
            (foreign, ParticipationRole.FOREIGN_AUTHORITY),
        ]:
            Participation.objects.create(partnership=made, organisation=organisation, role=role)
        return made

    ours = partnership(
        "Coopération Grande-Synthe – Ribeira Grande", "Échanges scolaires.", town, ribeira, "published"
    )
    theirs = partnership(
        "Amitié Lyon – Figuig",
        "Oasiculture et gestion de l'eau dans les palmeraies de Figuig.",
        lyon_,
        figuig,
        "published",
    )
    draft = partnership("Grande-Synthe – Figuig", "Projet en préparation.", town, figuig, "draft")
    editor = account(
        "awa.diallo@example.org", {"kind": RoleKind.EDITOR, "organisation": town, "may_publish": True}
    )
    # Hashed as production hashes (the test settings' fast hasher is not among its hashers).
    password = PBKDF2PasswordHasher().encode("pw-awa.diallo@example.org", PBKDF2PasswordHasher().salt())
    get_user_model().objects.filter(pk=editor.pk).update(password=password)
    return town, lyon_, ours, theirs, draft, editor


def _edit_form(partnership: Partnership, version: int, **changes) -> dict:
    """The edit form's fields as its page gives them, with `changes`."""
    form = PartnershipEditForm(instance=partnership)
    data: dict = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = str(value)
    return data | {"version": str(version)} | changes


def _section(page: str, heading_id: str) -> str:
    found = re.search(rf'aria-labelledby="{heading_id}".*?</section>', page, re.S)
    return found.group(0) if found else ""


def test_an_edit_through_one_server_is_seen_at_once_by_the_other(two_servers):
    """B's caches warmed, then an editor signed in on A edits a partnership's summary and
    publishes a draft: B's partnership page, search, similar partnerships (page and API) and
    the organisation's suggestions say so at once."""
    a, b = two_servers
    town, lyon_, ours, theirs, draft, editor = _authorities()
    reader = Visitor(b)
    # given: B's caches warm (its pages, its search counts, its TF-IDF model, its overlaps)
    before = {
        "ours": reader.get(ours.get_absolute_url()),
        "theirs": reader.get(theirs.get_absolute_url()),
        "lyon": reader.get(lyon_.get_absolute_url()),
        "search": reader.get("/recherche/?q=oasiculture"),
        "similar": reader.get(f"/api/v1/partnerships/{theirs.pk}/similar"),
    }
    assert "Oasiculture" not in before["ours"]
    assert ours.get_absolute_url() not in before["search"]
    assert theirs.get_absolute_url() in before["search"]
    assert ours.get_absolute_url() not in _section(before["theirs"], "h-similar")
    assert json.loads(before["similar"]) == []
    assert "Grande-Synthe" not in _section(before["lyon"], "h-connect")
    # when: on A, the editor signs in, edits the summary, then publishes the draft
    editor_on_a = Visitor(a)
    editor_on_a.sign_in("awa.diallo@example.org", "pw-awa.diallo@example.org")
    page = editor_on_a.get(f"/partenariats/{ours.pk}/modifier/")
    version = int(re.search(r'name="version" value="(\d+)"', page).group(1))
    summary = "Oasiculture, palmeraies et gestion de l'eau : l'expérience de Figuig partagée."
    status, headers, text = editor_on_a.request(
        "POST", f"/partenariats/{ours.pk}/modifier/", _edit_form(ours, version, summary=summary)
    )
    assert status == 302, text[:1000]
    status, _headers, text = editor_on_a.request(
        "POST", f"/revue/{draft.pk}/decider/", {"decision": "publish"}
    )
    assert status == 302, text[:1000]
    assert Partnership.objects.get(pk=draft.pk).publication_state == "published"
    # then: B answers with the new atlas at once
    after = {
        "ours": reader.get(ours.get_absolute_url()),
        "theirs": reader.get(theirs.get_absolute_url()),
        "lyon": reader.get(lyon_.get_absolute_url()),
        "search": reader.get("/recherche/?q=oasiculture"),
        "similar": reader.get(f"/api/v1/partnerships/{theirs.pk}/similar"),
    }
    assert "Oasiculture, palmeraies" in after["ours"]
    assert ours.get_absolute_url() in after["search"]
    assert ours.get_absolute_url() in _section(after["theirs"], "h-similar")
    assert [s["id"] for s in json.loads(after["similar"])][:1] == [ours.pk]
    assert town.get_absolute_url() in _section(after["lyon"], "h-connect")
    # and the logs: one JSON line per request, with its id, the user's id and never the e-mail
    status, headers, _text = reader.request("GET", "/recherche/?q=Awa+Diallo")
    lines = [json.loads(line) for line in b.output().splitlines() if line.startswith("{")]
    (line,) = [line for line in lines if line.get("request_id") == headers["X-Request-ID"]]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/recherche/", 200)
    assert line["user_id"] is None and line["pid"] != os.getpid() and line["duration_ms"] >= 0
    a_lines = [json.loads(line) for line in a.output().splitlines() if line.startswith("{")]
    edits = [line for line in a_lines if line.get("path") == f"/partenariats/{ours.pk}/modifier/"]
    assert [line["status"] for line in edits] == [200, 302] and {line["user_id"] for line in edits} == {
        editor.pk
    }
    assert "example.org" not in a.output() and "Diallo" not in b.output()


@pytest.mark.parametrize("two_servers", ["locmem"], indirect=True)
def test_health_says_503_when_a_migration_is_missing_then_200_again(two_servers):
    """/sante/ on a running server: a migration unrecorded in the database turns it to 503 with
    the French reason; recorded again, 200."""
    a, _b = two_servers
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, app, name, applied FROM django_migrations "
            "WHERE app = 'search' ORDER BY id DESC LIMIT 1"
        )
        row = cursor.fetchone()
        cursor.execute("DELETE FROM django_migrations WHERE id = %s", [row[0]])
    try:
        status, body = a.health()
        assert status == 503
        assert body["checks"]["migrations"]["message"].startswith("1 migration(s) non appliquée(s)")
        assert body["checks"]["database"]["status"] == "ok"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO django_migrations (id, app, name, applied) VALUES (%s, %s, %s, %s)", row
            )
    assert a.health()[0] == 200
