"""Property-based: whatever query string, cursor or JSON body a client sends to a list, detail or
derived endpoint, anonymous or as an editor, the answer is never a 5xx (hypothesis generates
them; see tests/test_api_fuzz.py for the schema-driven run)."""

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from alliances.api.derived import FILES
from tests.conftest import make_user
from tests.test_api_contract import RESOURCES, world

pytestmark = pytest.mark.django_db

API = "/api/v1"
LISTS = [*RESOURCES, *FILES]
PARAMS = [
    "cursor", "page_size", "format", "search", "ordering", "status", "country", "organisation",
    "as_of", "provision", "source", "kind", "verified", "record_id", "record_type", "year_from",
    "year_to", "directed", "signed_after", "claimed_before", "agreement", "claimant", "field",
]
bounded = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck),
)

# Texts a URL can carry (no lone surrogates: those cannot be percent-encoded as UTF-8).
url_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
digits = st.sampled_from(["0", "1", "5", "1000", "1001", "²", "２０２１", "٢٠", "-1", "1.5", "9" * 25])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
cursor_data = st.fixed_dictionaries(
    {"k": st.lists(st.sampled_from(["id", "title", "signed_on", "name", "search_rank"]), max_size=3),
     "p": st.lists(json_values, max_size=3), "b": json_values},
) | st.fixed_dictionaries({"o": json_values}) | json_values


def encoded(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


cursors = cursor_data.map(encoded) | url_text
words = st.sampled_from(["true", "maybe", "csv", "json", "-id", "AZE", "2021-06-15"])
values = url_text | digits | cursors | words
queries = st.dictionaries(st.sampled_from(PARAMS) | url_text.filter(bool), values, max_size=4)


@pytest.fixture
def clients():
    world()
    editor = APIClient()
    editor.force_authenticate(make_user("editor", "editors"))
    return {"anonymous": APIClient(), "editor": editor}


@pytest.fixture(autouse=True)
def unthrottled(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None}}


def assert_no_server_error(response):
    assert response.status_code < 500, (response.status_code, getattr(response, "content", b"")[:500])


def test_list_and_derived_queries_never_fail(clients):
    @given(who=st.sampled_from(sorted(clients)), resource=st.sampled_from(LISTS), query=queries)
    @bounded
    def check(who, resource, query):
        assert_no_server_error(clients[who].get(f"{API}/{resource}/", query))

    check()


def test_detail_requests_never_fail(clients):
    @given(
        who=st.sampled_from(sorted(clients)), resource=st.sampled_from(RESOURCES),
        pk=st.integers(min_value=0, max_value=2**64) | st.just(1), history=st.booleans(),
        query=queries, if_none_match=st.none() | st.sampled_from(["*", '"x"', "W/", "", ","]),
    )
    @bounded
    def check(who, resource, pk, history, query, if_none_match):
        headers = {} if if_none_match is None else {"HTTP_IF_NONE_MATCH": if_none_match}
        url = f"{API}/{resource}/{pk}/{'history/' if history else ''}"
        assert_no_server_error(clients[who].get(url, query, **headers))

    check()


# JSON bodies: any JSON, with lone surrogates and NUL characters among the texts, and bodies
# shaped like a record with hostile values in its fields.
hostile_text = st.text(st.characters(), max_size=20) | st.sampled_from(["a\ud800b", "\x00", "x" * 300])
record_like = st.dictionaries(
    st.sampled_from(["name", "iso2", "iso3", "aliases", "cow_code", "title", "status", "field", "quote",
                     "source", "record_type", "record_id", "signed_on", "agreement", "country", "text",
                     "subjects", "obligors", "provision_types", "kind"]),
    hostile_text | json_values | st.lists(hostile_text, max_size=3),
    max_size=6,
)
bodies = (record_like | json_values).map(json.dumps) | st.sampled_from(
    ["[" * 5000 + "]" * 5000, "{", "NaN", '{"a": Infinity}', b"\xed\xa0\x80", b'{"name": "\xff"}']
)


def test_writes_never_fail(clients):
    @given(
        resource=st.sampled_from(RESOURCES), method=st.sampled_from(["post", "patch", "put"]),
        pk=st.sampled_from([1, 2, 3]), body=bodies,
    )
    @bounded
    def check(resource, method, pk, body):
        url = f"{API}/{resource}/" if method == "post" else f"{API}/{resource}/{pk}/"
        for client in clients.values():
            response = getattr(client, method)(url, body, content_type="application/json")
            assert_no_server_error(response)

    check()
