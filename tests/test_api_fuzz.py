"""Property-based fuzzing of the API from its own OpenAPI schema (schemathesis): for every GET
operation, generated requests from an anonymous caller never get a 5xx, and every response
matches what the schema promises."""

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from config.wsgi import application
from tests.test_api_contract import world

EXAMPLES_PER_OPERATION = 20
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@contextmanager
def connections_kept_open():
    """Requests through the WSGI handler would close the test's database connection (and its
    transaction) at their start and end; Django's test client suspends that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_get_operations_never_fail_and_conform_to_the_schema(settings):
    world()
    # The fuzzer sends hundreds of anonymous requests in a row: no throttling here.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None}}
    with connections_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
        operations = [result.ok() for result in schema.include(method="GET").get_all_operations()]
        assert len(operations) == 39  # with the derived files (dyad-years, ...) and pending-changes

        for operation in operations:

            @given(case=operation.as_strategy())
            @settings_for_fuzzing
            def check(case):
                case.call_and_validate(checks=CHECKS)

            check()


settings_for_fuzzing = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)
