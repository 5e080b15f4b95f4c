"""Shared fixtures: the reference data (Beijing's organisation tree, categories, calendar) loaded
once per test database, and a cast of users that makes permission tests read naturally."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from hotline import celery_app
from hotline.core.models import Unit
from hotline.core.services import CENTER_CODE
from hotline.core.services import reference_data_load as _core_reference_load

from .factories import UserFactory


def reference_data_load():
    from demo.articles import articles_seed
    from dispatch.seed import catalogue_seed, leader_sign_seed, policies_seed
    from intake.services import places_load

    _core_reference_load()
    catalogue_seed()
    policies_seed()
    leader_sign_seed()
    places_load()
    articles_seed(generated=0)


STREET_A = "110101001"  # 东华门街道, 东城区
STREET_B = "110101002"  # 景山街道, 东城区
DISTRICT = "110101"  # 东城区
OTHER_DISTRICT_STREET = "110105001"  # 建外街道, 朝阳区


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Loaded once and committed: every test then runs in a transaction on top of it.
    with django_db_blocker.unblock():
        reference_data_load()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counts (failed logins per address, portal submissions) are per test, not per process."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_gazetteer():
    """Each test resolves addresses against its own database state, not a cached one."""
    from intake import geo

    geo.invalidate()
    yield
    geo.invalidate()


@pytest.fixture(autouse=True)
def _fast_hashing_and_eager_celery(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The app reads Django settings under the CELERY_ namespace: plain `conf.task_always_eager = …` is
    # ignored there, so the namespaced keys are set (and task errors raised in the test, not swallowed).
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.update(CELERY_TASK_ALWAYS_EAGER=True, CELERY_TASK_EAGER_PROPAGATES=True)
    yield
    celery_app.conf.update(CELERY_TASK_ALWAYS_EAGER=previous[0], CELERY_TASK_EAGER_PROPAGATES=previous[1])


@pytest.fixture
def reference(db):
    """The reference data, reloaded if a transactional test flushed the database."""
    if not Unit.objects.filter(code=CENTER_CODE).exists():
        reference_data_load()


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


@pytest.fixture
def agent(reference):
    return UserFactory(username="t_agent", role="agent", unit=unit(CENTER_CODE))


@pytest.fixture
def dispatcher(reference):
    return UserFactory(username="t_dispatcher", role="dispatcher", unit=unit(CENTER_CODE))


@pytest.fixture
def callback_agent(reference):
    return UserFactory(username="t_callback", role="callback", unit=unit(CENTER_CODE))


@pytest.fixture
def supervisor(reference):
    return UserFactory(username="t_supervisor", role="supervisor", unit=unit(CENTER_CODE))


@pytest.fixture
def leader(reference):
    return UserFactory(username="t_leader", role="leader", unit=unit(CENTER_CODE))


@pytest.fixture
def admin_user(reference):
    return UserFactory(username="t_admin", role="admin", unit=unit(CENTER_CODE), is_staff=True, is_superuser=True)


@pytest.fixture
def handler_a(reference):
    """A handler of street A (东华门街道)."""
    return UserFactory(username="t_handler_a", role="handler", unit=unit(STREET_A))


@pytest.fixture
def handler_b(reference):
    """A handler of street B (景山街道), in the same district as street A."""
    return UserFactory(username="t_handler_b", role="handler", unit=unit(STREET_B))


@pytest.fixture
def district_handler(reference):
    """A handler of the 东城区 sub-center: sees the whole district."""
    return UserFactory(username="t_district", role="handler", unit=unit(DISTRICT))


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates with a real token."""

    class Client(APIClient):
        def as_user(self, user):
            from rest_framework.authtoken.models import Token

            token, _ = Token.objects.get_or_create(user=user)
            self.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
            return self

    return Client()
