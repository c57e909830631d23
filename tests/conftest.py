"""Shared fixtures: reference data in every database test, the demo atlas on request."""

import os
import threading
from pathlib import Path

import pytest
from django.db import connection, connections

from coopatlas.atlas.models import SustainableDevelopmentGoal
from coopatlas.atlas.reference.loader import load_reference
from coopatlas.places.french import load_french_geography
from coopatlas.places.models import Commune, Country

REPO = Path(__file__).resolve().parent.parent
# The shared data beside the checkout; COOPATLAS_SHARED_DIR names it for a checkout elsewhere.
SHARED = Path(os.environ.get("COOPATLAS_SHARED_DIR") or REPO.parent / "shared")
OUTPUT = REPO / "test-output"
DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def ensure_reference_data() -> None:
    """Load countries, themes, SDGs and French geography unless they are there (a flushed
    database loses them)."""
    if Country.objects.count() < 249 or SustainableDevelopmentGoal.objects.count() != 17:
        load_reference()
    if not Commune.objects.exists():
        load_french_geography()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Create the test database once, with its reference data and French geography."""
    with django_db_blocker.unblock():
        load_reference()
        load_french_geography()
    yield
    # On PostgreSQL the jobs alias is a second connection to the test database: closed before
    # the database is dropped.
    from django.db import connections

    connections.close_all()


@pytest.fixture(autouse=True)
def _french_interface():
    """Start every test in French: a request in English leaves its language active in the thread."""
    from django.utils import translation

    translation.activate("fr")
    yield
    translation.activate("fr")


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Give every database test the reference data, even after a transactional flush."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if not (marker or DB_FIXTURES & names):
        return
    transactional = {"transactional_db", "live_server"} & names or (
        marker is not None and marker.kwargs.get("transaction")
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    ensure_reference_data()


@pytest.fixture
def demo_atlas(db):
    """Load the demo atlas built from the five seed pages; return the number of records made."""
    from coopatlas.atlas.demo.loader import load_demo

    return load_demo()


@pytest.fixture
def admin_client_fr(client, django_user_model):
    """A client signed in as a superuser, interface in French."""
    user = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw-admin-123")
    client.force_login(user)
    return client


@pytest.fixture(scope="session")
def resolver(django_db_setup, django_db_blocker):
    """The place resolver, built once from the test database's French geography and GeoNames."""
    from coopatlas.places.resolver import get_resolver, reset_resolver

    with django_db_blocker.unblock():
        reset_resolver()
        return get_resolver()


@pytest.fixture
def write_lock_held():
    """Another connection (another thread) holding SQLite's write lock for the test's length."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock")
    locked, release = threading.Event(), threading.Event()

    def hold():
        with connections["default"].cursor() as cursor:
            cursor.execute("BEGIN IMMEDIATE")
            locked.set()
            release.wait(30)
            cursor.execute("ROLLBACK")
        connections["default"].close()

    holder = threading.Thread(target=hold)
    holder.start()
    locked.wait(10)
    yield
    release.set()
    holder.join()
