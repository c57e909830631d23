"""`/sante/` says whether a server can serve (200) or not (503), check by check; each request gets
an id (X-Request-ID) and one log line without its query string nor anyone's e-mail."""

import json
import logging

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from coopatlas.search.models import SearchDocument
from coopatlas.search.signals import apply_pending
from coopatlas.web import health
from coopatlas.web.requestlog import JsonLineFormatter, client_ip, request_id_from
from tests.accounts.factories import editor_of, grande_synthe, pair

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])


@pytest.fixture(autouse=True)
def _fresh_index_check():
    health.forget_index_check()
    yield
    health.forget_index_check()


def test_health_answers_200_with_every_check_ok(client):
    """A migrated database, a current index and a working cache: 200, four checks "ok"."""
    # given
    pair(grande_synthe(), "Sidi Ifni", "MA", state="published")
    apply_pending()  # indexed as its transaction would commit
    # when
    answer = client.get("/sante/")
    # then
    body = answer.json()
    assert answer.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "search_index", "cache"}
    assert all(check["status"] == "ok" and check["message"] for check in body["checks"].values())
    assert answer["Cache-Control"].startswith("max-age=0")
    assert "sessionid" not in answer.cookies and "csrftoken" not in answer.cookies


def test_health_answers_503_when_a_migration_is_not_applied(client):
    """A migration of the code missing from the database's record: 503, named in French."""
    # given: the search app's last migration unrecorded (rolled back with the test)
    app, name = max(node for node in health._latest_migrations() if node[0] == "search")
    MigrationRecorder(connection).migration_qs.filter(app=app, name=name).delete()
    # when
    answer = client.get("/sante/")
    # then
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "erreur"
    assert body["checks"]["migrations"] == {
        "status": "erreur",
        "message": "1 migration(s) non appliquée(s) : lancez `coopatlas serve --prepare-only`.",
    }
    assert body["checks"]["database"]["status"] == "ok"


def test_health_answers_503_when_the_search_index_misses_a_partnership(client):
    """A partnership without its search document: the index check fails, the others pass."""
    # given
    partnership = pair(grande_synthe(), "Sidi Ifni", "MA", state="published")
    apply_pending()
    SearchDocument.objects.filter(partnership=partnership).delete()
    # when
    answer = client.get("/sante/")
    # then
    assert answer.status_code == 503
    checks = answer.json()["checks"]
    assert checks["search_index"]["status"] == "erreur"
    assert "coopatlas reindex" in checks["search_index"]["message"]
    assert checks["cache"]["status"] == "ok"


def test_health_says_degraded_when_the_cache_does_not_answer_and_pages_still_answer(client, settings, caplog):
    """A Redis cache that nobody serves: /sante/ says « dégradé » without the address, still 200
    (the proxy keeps the server), and the pages that read the cache answer, computed anew."""
    # given: a port where nothing listens
    settings.CACHES = {
        "default": {
            "BACKEND": "coopatlas.core.cache.ForgivingRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # when
    with caplog.at_level(logging.WARNING, logger="coopatlas.web.health"):
        answer = client.get("/sante/")
    # then
    assert answer.status_code == 200
    assert answer.json()["status"] == "dégradé"
    cache_check = answer.json()["checks"]["cache"]
    assert cache_check == {"status": "dégradé", "message": "Le cache ne rend pas ce qu'on y a mis."}
    assert "127.0.0.1:9" not in answer.content.decode()
    records = [r for r in caplog.records if r.name == "coopatlas.web.health"]
    assert records and all(r.request_id == answer["X-Request-ID"] for r in records)
    with caplog.at_level(logging.WARNING, logger="coopatlas.core.cache"):
        assert client.get("/tableau-de-bord/").status_code == 200
    assert any("Redis did not answer" in r.getMessage() for r in caplog.records)


def test_health_is_not_redirected_to_https_under_production_settings(client, settings):
    """The proxy asks /sante/ over plain HTTP: answered; any other page is sent to HTTPS."""
    # given
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
    # when
    health_answer, page = client.get("/sante/"), client.get("/recherche/")
    # then
    assert health_answer.status_code == 200
    assert page.status_code == 301 and page["Location"].startswith("https://")


def test_request_id_from_the_proxy_is_kept_and_a_bad_one_replaced(client):
    """A sane X-Request-ID is echoed; a hostile one (spaces, too long, a new line) is replaced."""
    # when
    kept = client.get("/sante/", headers={"X-Request-ID": "caddy-0d9f1e2a-77b1"})
    replaced = client.get("/sante/", headers={"X-Request-ID": "a b\r\nSet-Cookie: x=1"})
    fresh = client.get("/sante/")
    # then
    assert kept["X-Request-ID"] == "caddy-0d9f1e2a-77b1"
    assert replaced["X-Request-ID"] != "a b\r\nSet-Cookie: x=1" and len(replaced["X-Request-ID"]) == 32
    assert fresh["X-Request-ID"] != replaced["X-Request-ID"]
    assert request_id_from("x" * 200) != "x" * 200


def test_each_request_logs_one_line_without_query_string_nor_email(client, caplog):
    """A signed-in editor's search: one record with id, method, path, status, duration, user id
    and pid; neither the searched words nor the e-mail in its JSON."""
    # given
    town = grande_synthe()
    editor = editor_of(town, "awa.diallo@example.org")
    client.force_login(editor)
    # when
    with caplog.at_level(logging.INFO, logger="coopatlas.requests"):
        answer = client.get("/recherche/?q=Awa+Diallo+Sidi+Ifni")
    # then
    (record,) = [r for r in caplog.records if r.name == "coopatlas.requests"]
    line = json.loads(JsonLineFormatter("%(asctime)s %(levelname)s %(name)s %(message)s").format(record))
    assert line["request_id"] == answer["X-Request-ID"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/recherche/", 200)
    assert line["user_id"] == editor.pk and isinstance(line["pid"], int)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    text = json.dumps(line)
    assert "Diallo" not in text and "example.org" not in text and "q=" not in text


def test_an_error_is_logged_under_its_request_id_without_the_query_string(client, settings, caplog):
    """A page that fails: Django's error record carries the request's id, and its JSON line
    neither the query string nor the request object."""
    # given
    settings.ROOT_URLCONF = "tests.web.error_urls"
    client.raise_request_exception = False
    # when
    with caplog.at_level(logging.INFO):
        failing = client.get("/en-panne/?q=secret-person")
    # then
    assert failing.status_code == 500
    (error,) = [r for r in caplog.records if r.name == "django.request"]
    assert error.request_id == failing["X-Request-ID"]
    line = json.loads(JsonLineFormatter("%(asctime)s %(levelname)s %(name)s %(message)s").format(error))
    assert line["request_id"] == failing["X-Request-ID"] and "could not connect" in line["exc_info"]
    assert "secret-person" not in json.dumps(line)


def test_client_ip_behind_one_proxy_is_the_address_it_saw(rf, settings):
    """Behind one trusted proxy the visitor is X-Forwarded-For's last address; without proxy, or
    with a header shorter than the chain of proxies, REMOTE_ADDR."""
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7", REMOTE_ADDR="10.0.0.2")
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request) == "198.51.100.7"
    settings.TRUSTED_PROXIES = 3
    assert client_ip(request) == "10.0.0.2"
