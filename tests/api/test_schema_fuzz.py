"""The OpenAPI schema, fuzzed: schemathesis generates requests for every operation from the schema
(valid and invalid), sends them through the real Django stack as an administrator, and fails on any 5xx,
on a status code the schema does not declare, and on an answer that does not match its declared schema
(a null where the schema says string). Bounded: a few examples per operation, derandomized so that a
failure is reproducible."""

import json

import pytest
import schemathesis
from django.core.signals import request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.factories import UserFactory

APPLICATION = get_wsgi_application()
EXAMPLES_PER_OPERATION = 15
# The token endpoint counts failed logins per address (a 429 after 30, by design), and revoking the token
# would log the fuzzer out: they are exercised by tests/core/test_hardening.py instead.
TOKEN_PATH = "/api/v1/auth/token/"

schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
)


@pytest.fixture
def admin_token(reference):
    admin = UserFactory(username="t_fuzz_admin", role="admin", is_superuser=True, is_staff=True)
    return Token.objects.create(user=admin).key


@pytest.fixture
def in_test_transaction():
    # Django's own test client does the same: a request must not close the connection that holds the
    # test's transaction.
    request_started.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)


@pytest.mark.filterwarnings("ignore")
@schema.exclude(path=TOKEN_PATH).parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_no_5xx_and_is_what_the_schema_declares(case, admin_token, in_test_transaction):
    case.call_and_validate(
        app=APPLICATION,
        headers={"Authorization": f"Token {admin_token}"},
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
