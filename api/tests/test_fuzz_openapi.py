"""Issue 14: schemathesis generates requests from the JSON API's own OpenAPI description
(/pypi/openapi.json) and sends them to the WSGI application (both middleware chains, real
database); no response may be a 5xx. Example counts are bounded to keep the suite fast."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from devtools.publish import publish
from pypiapp.handlers import Application

pytestmark = pytest.mark.django_db
EXAMPLES = 60  # per operation (two operations); the count actually sent is asserted below
sent = []

schema = schemathesis.openapi.from_wsgi("/pypi/openapi.json", Application())


@pytest.fixture
def in_process_wsgi():
    """The WSGI app closes the database connection when a response ends; in-process (as Django's
    test client does) the test's connection, inside its transaction, must stay open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def demo(user, in_process_wsgi):
    publish(user, "demo", "1.0")
    publish(user, "demo", "2.0rc1", kinds=("wheel",))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_no_generated_json_api_request_is_a_server_error(case, demo):
    response = case.call()
    sent.append(response.status_code)
    assert response.status_code < 500, (case.path, case.path_parameters, response.status_code, response.text[:500])


def test_the_fuzzer_sent_requests():
    """Runs after the fuzz test in this module: the generated requests really reached the app."""
    if not sent:
        pytest.skip("run with the fuzz test")
    assert len(sent) >= 20 and all(status < 500 for status in sent)
    print(f"\nschemathesis: {len(sent)} requests, statuses {sorted(set(sent))}")
