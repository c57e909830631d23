"""The API against its own OpenAPI schema, with schemathesis: no server error, documented answers.

Every operation gets a bounded number of generated requests (the whole file runs in about a
minute on SQLite); each answer must be no 5xx, with a status, a content type and a body that the
schema documents. The requests go through the WSGI application, in the test's own transaction,
over the demo atlas, so the lists are not empty: once anonymously, once signed in as an editor
allowed to import (drafts and import batches are then served).
"""

from dataclasses import dataclass

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 40
JOBS_TOO = ["default", "jobs"]  # large imports and long pages are queued as background jobs
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # The fixtures hold the demo atlas for all examples on purpose (they only read it).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def served(application):
    """Return `application` with each answer read whole and closed, as a WSGI server does (PEP 3333).

    Closing matters: a file answer (the export) closes its file then, and Django ends its request."""

    def serve(environ, start_response):
        answer = application(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            answer.close()

    return serve


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", served(get_wsgi_application()))
# What a signed-in editor sees differently: drafts in the partnership lists, the import batches.
signed_in_schema = schema.include(path_regex=r"^/api/v1/(partnerships|imports|jobs|extract)")


@dataclass
class Atlas:
    cookies: dict[str, str]  # the editor's session and CSRF cookie
    headers: dict[str, str]  # the CSRF token a browser page would send with a POST


@pytest.fixture(scope="module")
def demo_atlas_once(django_db_setup, django_db_blocker):
    """Load the demo atlas, a draft, a batch and an editor's session once, then roll them back.

    Each test's own transaction nests inside this one as a savepoint (5 s of loading saved per
    operation)."""
    from coopatlas.atlas.demo.loader import load_demo
    from coopatlas.atlas.models import ImportBatch, Partnership

    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        Partnership.objects.filter(pk=Partnership.objects.order_by("pk").first().pk).update(
            publication_state="draft"
        )
        editor = _editor()
        ImportBatch.objects.create(source_kind="table", file_name="jumelages.csv", counts={"created": 3})
        client = Client()
        client.force_login(editor)
        token = "schemathesis0csrf0token000000000"  # 32 letters and digits: a CSRF secret Django takes
        yield Atlas(
            cookies={django_settings.SESSION_COOKIE_NAME: client.session.session_key, "csrftoken": token},
            headers={"X-CSRFToken": token},
        )
        transaction.set_rollback(True)


def _editor():
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.create_user("editrice-schema", password="pw-schema-123")
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_partnership", "change_partnership"])
    )
    return editor


@pytest.fixture
def same_connection():
    """Keep the test's database connection through each request, as Django's test client does.

    A plain WSGI call ends with `close_old_connections`, which would close the connection in the
    middle of the test's transaction (and lose the demo atlas)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db(databases=JOBS_TOO)
@schema.parametrize()
@BOUNDED
def test_api_answers_anonymous_visitors_as_documented(case, demo_atlas_once, same_connection):
    """Anonymous requests get no 5xx, and statuses, types and bodies as the schema documents."""
    # when / then
    case.call_and_validate(checks=CHECKS)


@pytest.mark.django_db(databases=JOBS_TOO)
@signed_in_schema.parametrize()
@BOUNDED
def test_api_answers_a_signed_in_editor_as_documented(case, demo_atlas_once, same_connection):
    """An editor's requests get no 5xx, and statuses, types and bodies as the schema documents."""
    # when / then
    case.call_and_validate(checks=CHECKS, cookies=demo_atlas_once.cookies, headers=demo_atlas_once.headers)


@pytest.mark.django_db
def test_api_schema_run_sees_the_demo_atlas(demo_atlas_once, same_connection):
    """The generated requests reach the demo atlas and the editor's session (else they prove little)."""
    # given
    operation = schema["/api/v1/imports"]["GET"]
    listing = schema["/api/v1/partnerships"]["GET"]
    # when
    anonymous = listing.Case().call()
    editor = listing.Case().call(cookies=demo_atlas_once.cookies)
    batches = operation.Case().call(cookies=demo_atlas_once.cookies)
    # then
    assert anonymous.status_code == 200 and anonymous.json()["count"] > 10
    assert editor.json()["count"] == anonymous.json()["count"] + 1  # the draft
    assert batches.status_code == 200 and batches.json()[0]["file"] == "jumelages.csv"
