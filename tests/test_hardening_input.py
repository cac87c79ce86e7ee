"""Bad input and abuse get a clear 4xx, never a 500 (issue 14, the API-input part): cursors,
integer parameters, hostile JSON bodies, body and search limits, CSV formula cells, and the
validation gaps found by trying."""

import base64
import csv
import io
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse

from alliances.exports.csv_stream import neutralise, unneutralise
from alliances.models import Agreement, Country
from sources.json_input import MAX_DEPTH
from sources.search import MAX_LENGTH, MAX_TERMS
from tests.conftest import make_agreement, make_country, make_source, make_user, publish, token_client
from tests.test_api_contract import world

pytestmark = pytest.mark.django_db

API = "/api/v1"


def token(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def assert_400(response, name=None):
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    if name is not None:
        assert name in response.json(), response.json()


@pytest.fixture
def writer():
    return token_client(make_user("editor", "editors"))


# Cursors ------------------------------------------------------------------------------------


def test_a_cursor_must_hold_values_of_the_ordering_fields_types(anon):
    world()
    for position, backwards in (([None], False), ([True], False), ([1.5], False), (["1"], False),
                                ([2**70], False), ([1], "no"), ([1], 1)):
        cursor = token({"k": ["id"], "p": position, "b": backwards})
        assert_400(anon.get(f"{API}/agreements/", {"ordering": "id", "cursor": cursor}), "cursor")
    # The cursor of a real page still works, and a nullable date may be NULL in one.
    assert anon.get(f"{API}/agreements/", {"ordering": "id", "cursor": token(
        {"k": ["id"], "p": [1], "b": False})}).status_code == 200
    nullable = token({"k": ["signed_on", "id"], "p": [None, 1], "b": False})
    assert anon.get(f"{API}/agreements/", {"ordering": "signed_on", "cursor": nullable}).status_code == 200
    for text in ("a\x00b", "\ud800"):
        cursor = token({"k": ["title", "id"], "p": [text, 1], "b": False})
        assert_400(anon.get(f"{API}/agreements/", {"ordering": "title", "cursor": cursor}), "cursor")


def test_a_derived_file_position_beyond_any_file_is_refused(anon):
    world()
    for position in (9223372036854775808, -1, True, 1.0):
        assert_400(anon.get(f"{API}/state-years/", {"cursor": token({"o": position})}), "cursor")
    assert anon.get(f"{API}/state-years/", {"cursor": token({"o": 10**6})}).json()["results"] == []


# Integers are ASCII digits ------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "２０", "٢٠", "1.0", " 5", "+5", "5" * 30])
def test_page_sizes_are_ascii_digits_only(anon, raw):
    assert_400(anon.get(f"{API}/countries/", {"page_size": raw}), "page_size")
    assert_400(anon.get(f"{API}/dyad-years/", {"page_size": raw}), "page_size")


@pytest.mark.parametrize("raw", ["２０２１", "٢٠٢١", "2021.0", "²"])
def test_years_and_ids_are_ascii_digits_only(anon, raw):
    assert_400(anon.get(f"{API}/state-years/", {"year_from": raw}), "year_from")
    assert_400(anon.get(f"{API}/agreements/", {"organisation": raw}), "organisation")
    assert_400(anon.get(f"{API}/citations/", {"record_id": raw}), "record_id")
    assert anon.get(f"{API}/state-years/", {"year_from": "2021"}).status_code == 200


@pytest.mark.parametrize("raw", ["２０２１-06-15", "٢٠٢١-06-15", "06/15/2021", "2021-6-15"])
def test_dates_are_iso_in_ascii_digits(anon, raw):
    assert_400(anon.get(f"{API}/agreements/", {"as_of": raw}), "as_of")
    assert_400(anon.get(f"{API}/claims/", {"claimed_after": raw}), "claimed_after")
    assert anon.get(f"{API}/agreements/", {"as_of": "2021-06-15"}).status_code == 200


# Hostile JSON bodies ------------------------------------------------------------------------


def test_a_deeply_nested_body_is_a_400(writer):
    body = "[" * 100_000 + "]" * 100_000
    response = writer.post(f"{API}/countries/", body, content_type="application/json")
    assert_400(response, "detail")
    assert "nested too deeply" in response.json()["detail"]
    # Within Python's recursion limit, but past the depth limit: the same 400.
    nested = {"name": "x", "aliases": json.loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))}
    assert_400(writer.post(f"{API}/countries/", nested, format="json"), "detail")


def test_a_deeply_nested_body_to_the_cite_view_is_a_400(client):
    client.force_login(make_user("editor", "editors"))
    source = make_source()
    url = reverse("admin:sources_source_cite", args=[source.pk])
    response = client.post(url, "{" * 1 + '"a":' + "[" * 50_000 + "]" * 50_000 + "}",
                           content_type="application/json")
    assert response.status_code == 400 and "nested too deeply" in json.dumps(response.json())
    response = client.post(url, '{"quote": "\\ud800"}', content_type="application/json")
    assert response.status_code == 400


def test_a_lone_surrogate_in_any_text_is_a_400(writer):
    for field, value in (("aliases", ["a\ud800b"]), ("name", "Azer\udfffbaijan")):
        data = {"name": "Azerbaijan", "iso2": "AZ", "iso3": "AZE", field: value}
        body = json.dumps(data)  # ensure_ascii: the surrogate travels as the escape \ud800
        response = writer.post(f"{API}/countries/", body, content_type="application/json")
        assert_400(response, "detail")
        assert field in response.json()["detail"]
    assert not Country.objects.exists()


def test_nul_characters_are_refused_in_aliases_as_in_other_text(writer):
    data = {"name": "Azerbaijan", "iso2": "AZ", "iso3": "AZE", "aliases": ["Azer\x00baijan"]}
    assert_400(writer.post(f"{API}/countries/", data, format="json"), "aliases")
    nul_name = {**data, "aliases": [], "name": "A\x00"}
    assert_400(writer.post(f"{API}/countries/", nul_name, format="json"), "name")


# Limits -------------------------------------------------------------------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_a_body_beyond_the_limit_is_a_json_413(writer):
    source = make_source(text="Short text.")
    big = {"title": "Big", "text": "x" * 20_000}
    for response in (
        writer.post(f"{API}/sources/", big, format="json"),
        writer.patch(f"{API}/sources/{source.pk}/", big, format="json"),
    ):
        assert response.status_code == 413
        assert response["Content-Type"] == "application/json"
        assert "10000 bytes" in response.json()["detail"]
    small = {"title": "Small", "text": "x" * 1000}
    assert writer.post(f"{API}/sources/", small, format="json").status_code == 201


def test_searches_are_bounded_in_terms_and_length(anon):
    world()
    words = " ".join(f"w{index}" for index in range(MAX_TERMS + 1))
    for resource in ("agreements", "citations", "memberships"):
        response = anon.get(f"{API}/{resource}/", {"search": words})
        assert_400(response, "search")
        assert f"at most {MAX_TERMS}" in response.json()["search"][0]
    response = anon.get(f"{API}/agreements/", {"search": "x" * (MAX_LENGTH + 1)})
    assert_400(response, "search")
    assert f"at most {MAX_LENGTH}" in response.json()["search"][0]
    within = " ".join(["Shusha"] * MAX_TERMS)
    assert len(anon.get(f"{API}/agreements/", {"search": within}).json()["results"]) == 1


# CSV formula cells --------------------------------------------------------------------------


@pytest.mark.parametrize("cell", [
    "=1+2", "  =1+2", "\u00a0=1", "\u3000+1", "\u200b=1", "\u200d@x", "\ufeff=1", "\u202e=1",
    "\u2060-1", "＝1+2", "＋1", "－1", "＠SUM(A1)", " \u200b\u00a0＝x",
])
def test_formulas_behind_invisible_characters_or_fullwidth_signs_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell
    assert unneutralise(neutralise(cell)) == cell


@pytest.mark.parametrize("cell", ["plain", "Türkiye", "２０２１", " leading space", "\u200bword", ""])
def test_other_texts_are_left_as_they_are(cell):
    assert neutralise(cell) == cell


def download(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_each_item_of_a_list_cell_is_neutralised(anon):
    aliases = ["Benign", '=HYPERLINK("http://evil")', "\u00a0+1", "'quoted"]
    publish(make_agreement(title="Pact", aliases=aliases))
    (row,) = download(anon.get(f"{API}/agreements/", {"format": "csv"}))
    assert row["aliases"] == "Benign;'=HYPERLINK(\"http://evil\");'\u00a0+1;''quoted"
    publish(make_country("AZE", aliases=["=cmd|' /C calc'!A0", "Azeri"]))
    (row,) = download(anon.get(f"{API}/countries/", {"format": "csv"}))
    assert row["aliases"] == "'=cmd|' /C calc'!A0;Azeri"


def test_list_cells_round_trip_through_the_dataset(tmp_path):
    from django.core.management import call_command

    aliases = ["=first", "Benign", "=HYPERLINK(1)", "'quoted", "＋2"]
    publish(make_agreement(title="Pact", aliases=aliases))
    call_command("export_dataset", str(tmp_path / "out"), verbosity=0)
    Agreement.objects.all().delete()
    exported = (tmp_path / "out" / "agreements.csv").read_text(encoding="utf-8")
    assert "'=first;Benign;'=HYPERLINK(1);''quoted;'＋2" in exported
    from alliances.exports import importer

    rows = list(importer.read_rows(tmp_path / "out" / "agreements.csv", importer.TABLES["agreements"]))
    table = importer.TABLES["agreements"]
    cell = rows[0][table.header.index("aliases")]
    column = next(column for column in table.columns if column.name == "aliases")
    assert column.restore(cell, None) == {"aliases": aliases}


# Validation gaps ----------------------------------------------------------------------------


def test_an_unknown_boolean_is_a_400(anon):
    world()
    assert_400(anon.get(f"{API}/citations/", {"verified": "maybe"}), "verified")
    verified = anon.get(f"{API}/citations/", {"verified": "true"}).json()["results"]
    assert verified and all(row["verified"] for row in verified)
    assert anon.get(f"{API}/citations/", {"verified": "false"}).json()["results"] == []


@pytest.mark.parametrize("code", [0, 1000, 1048576, 2**40])
def test_cow_codes_are_small_positive_numbers(writer, code):
    data = {"name": "Azerbaijan", "iso2": "AZ", "iso3": "AZE", "cow_code": code}
    assert_400(writer.post(f"{API}/countries/", data, format="json"), "cow_code")
    assert writer.post(f"{API}/countries/", {**data, "cow_code": 373}, format="json").status_code == 201


def test_a_citation_names_a_citable_field_only(writer):
    source = make_source()
    agreement = make_agreement(title="Pact")
    data = {"source": source.pk, "record_type": "agreement", "record_id": agreement.pk,
            "quote": "Shusha Declaration"}
    for field in ("citations", "history", "id", "status", "signed_on_precision", "parties"):
        response = writer.post(f"{API}/citations/", {**data, "field": field}, format="json")
        assert_400(response, "field")
    assert writer.post(f"{API}/citations/", {**data, "field": "signed_on"}, format="json").status_code == 201


def test_the_admin_refuses_the_same_fields(client):
    client.force_login(make_user("editor", "editors"))
    source = make_source()
    agreement = make_agreement(title="Pact")
    url = reverse("admin:sources_source_cite", args=[source.pk])
    data = {"content_type": ContentType.objects.get_for_model(Agreement).pk, "object_id": agreement.pk,
            "quote": "Shusha Declaration", "field": "citations"}
    response = client.post(url, json.dumps(data), content_type="application/json")
    assert response.status_code == 400 and "field" in response.json()["errors"]


def test_the_schema_refuses_an_unknown_parameter(anon):
    assert_400(anon.get(f"{API}/schema/", {"x": "1"}), "x")
    assert anon.get(f"{API}/schema/", {"format": "json"}).status_code == 200


def test_if_none_match_star_is_a_304_for_an_existing_record(anon):
    w = world()
    url = f"{API}/agreements/{w['shusha'].pk}/"
    etag = anon.get(url)["ETag"]
    for header in ("*", etag, f"W/{etag}", f'"other", {etag}'):
        response = anon.get(url, HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304 and response["ETag"] == etag, header
    assert anon.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    assert anon.get(f"{API}/agreements/{w['draft'].pk}/", HTTP_IF_NONE_MATCH="*").status_code == 404


def test_the_schema_documents_the_error_responses(anon):
    schema = anon.get(f"{API}/schema/", {"format": "json"}).json()
    assert "Error" in schema["components"]["schemas"]
    detail = schema["paths"]["/api/v1/agreements/{id}/"]
    assert {"400", "401", "404", "406", "429", "304"} <= set(detail["get"]["responses"])
    assert {"400", "401", "403", "404", "409", "412", "413", "429"} <= set(detail["patch"]["responses"])
    create = schema["paths"]["/api/v1/agreements/"]["post"]
    assert {"400", "401", "403", "409", "413", "429"} <= set(create["responses"])
    assert "400" in schema["paths"]["/api/v1/dyad-years/"]["get"]["responses"]
    error = detail["patch"]["responses"]["412"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}
