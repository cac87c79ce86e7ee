"""CSV from every list endpoint (?format=csv, Accept: text/csv): the export tables' columns,
every matching row, the JSON list's filters, order and visibility; and the admin's action."""

import csv
import datetime
import io

import pycountry
import pytest
from django.http import StreamingHttpResponse
from rest_framework.test import APIClient

from alliances.exports.csv_stream import stream_csv
from alliances.exports.tables import TABLES
from alliances.models import Agreement, Country
from sources.models import Citation
from tests.conftest import make_agreement, make_claim, make_country, make_user, publish
from tests.test_api_contract import RESOURCES, world

pytestmark = pytest.mark.django_db

API = "/api/v1"


def download(response) -> list[dict]:
    assert response.status_code == 200, getattr(response, "content", b"")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


def header(response) -> list[str]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return next(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_list_answers_csv_with_the_columns_of_its_table(anon, resource):
    world()
    response = anon.get(f"{API}/{resource}/", {"format": "csv"})
    assert response["Content-Disposition"] == f'attachment; filename="{resource}.csv"'
    assert header(response) == TABLES[resource].header
    rows = download(anon.get(f"{API}/{resource}/", {"format": "csv"}))
    json_ids = [row["id"] for row in anon.get(f"{API}/{resource}/").json()["results"]]
    assert [int(row["id"]) for row in rows] == json_ids


def test_accept_header_chooses_csv_and_json_stays_the_default(anon):
    world()
    assert download(anon.get(f"{API}/countries/", HTTP_ACCEPT="text/csv"))
    assert anon.get(f"{API}/countries/")["Content-Type"] == "application/json"
    assert anon.get(f"{API}/countries/", HTTP_ACCEPT="application/json")["Content-Type"] == "application/json"


def test_csv_has_every_row_not_one_page(anon):
    codes = [country.alpha_3 for country in pycountry.countries][:60]
    for code in codes:
        make_country(code)
    assert len(anon.get(f"{API}/countries/").json()["results"]) == 50
    rows = download(anon.get(f"{API}/countries/", {"format": "csv"}))
    assert sorted(row["iso3"] for row in rows) == sorted(codes)


def test_paging_parameters_are_refused_for_csv_and_unknown_ones_too(anon):
    world()
    for params in ({"page_size": "10"}, {"cursor": "abc"}):
        response = anon.get(f"{API}/countries/", {"format": "csv", **params})
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert "no pages" in response.json()[next(iter(params))][0]
    response = anon.get(f"{API}/countries/", {"format": "csv", "contry": "AZ"})
    assert response.status_code == 400 and "format" in response.json()["contry"][0]
    response = anon.get(f"{API}/agreements/", {"format": "csv", "kind": "nonsense"})
    assert response.status_code == 400 and "kind" in response.json()


def test_filters_and_ordering_apply_to_csv(anon):
    w = world()
    older = publish(make_agreement(title="Older pact", signed_on="1992", kind="treaty"))
    rows = download(anon.get(f"{API}/agreements/", {"format": "csv", "kind": "treaty"}))
    assert [int(row["id"]) for row in rows] == [older.pk]
    rows = download(anon.get(f"{API}/agreements/", {"format": "csv", "country": "az"}))
    assert [int(row["id"]) for row in rows] == [w["shusha"].pk]
    for ordering in ("-signed_on", "title", "-id"):
        rows = download(anon.get(f"{API}/agreements/", {"format": "csv", "ordering": ordering}))
        pages = anon.get(f"{API}/agreements/", {"ordering": ordering}).json()["results"]
        assert [int(row["id"]) for row in rows] == [row["id"] for row in pages]
    rows = download(anon.get(f"{API}/citations/", {"format": "csv", "record_type": "claim"}))
    assert {row["record_type"] for row in rows} == {"claims"}


def test_formula_cells_are_neutralised_through_the_api(anon):
    publish(make_agreement(title='=HYPERLINK("http://evil")', summary="+1", short_name="@x"))
    (row,) = download(anon.get(f"{API}/agreements/", {"format": "csv"}))
    assert (row["title"], row["summary"], row["short_name"]) == ("'=HYPERLINK(\"http://evil\")", "'+1", "'@x")


def test_anonymous_csv_has_no_drafts_and_editors_see_them():
    w = world()
    anon = APIClient()
    rows = download(anon.get(f"{API}/agreements/", {"format": "csv"}))
    assert [int(row["id"]) for row in rows] == [w["shusha"].pk]
    cited = {(row["record_type"], int(row["record_id"])) for row in download(
        anon.get(f"{API}/citations/", {"format": "csv"})
    )}
    assert ("agreements", w["draft"].pk) not in cited
    editor = APIClient()
    editor.force_authenticate(make_user("editor", "editors"))
    rows = download(editor.get(f"{API}/agreements/", {"format": "csv"}))
    assert {int(row["id"]) for row in rows} == {w["shusha"].pk, w["draft"].pk}


def test_list_columns_name_only_the_records_the_reader_may_see():
    """A published claim about a published and a draft agreement: anonymous readers see the
    published one in the CSV, as in the JSON; editors see both."""
    shown, draft = publish(make_agreement(title="Shown pact")), make_agreement(title="Draft pact")
    claim = publish(make_claim(text="Both pacts matter."))
    claim.subject_agreements.set([shown, draft])
    editor = APIClient()
    editor.force_authenticate(make_user("editor", "editors"))
    for client, expected in ((APIClient(), str(shown.pk)), (editor, f"{shown.pk};{draft.pk}")):
        (row,) = download(client.get(f"{API}/claims/", {"format": "csv"}))
        (json_row,) = client.get(f"{API}/claims/").json()["results"]
        assert row["subject_agreements"] == expected
        assert ";".join(map(str, json_row["subjects"]["agreements"])) == expected


def test_a_detail_offers_no_csv(anon):
    w = world()
    response = anon.get(f"{API}/agreements/{w['shusha'].pk}/", {"format": "csv"})
    assert response.status_code == 406 and response["Content-Type"] == "application/json"
    assert anon.get(f"{API}/agreements/{w['shusha'].pk}/", HTTP_ACCEPT="text/csv").status_code == 406


def test_csv_downloads_are_throttled_like_json(anon, settings):
    world()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1/minute"}}
    assert anon.get(f"{API}/countries/", {"format": "csv"}).status_code == 200
    throttled = anon.get(f"{API}/countries/", {"format": "csv"})
    assert throttled.status_code == 429 and throttled["Content-Type"] == "application/json"


def test_the_column_built_csv_is_byte_identical_to_the_row_built_one():
    world()
    # Datetimes are read as text: one on a whole second has no fraction, and PostgreSQL
    # writes a fraction without its trailing zeros.
    whole_second = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    Country.objects.filter(iso3="AZE").update(created_at=whole_second)
    Country.objects.filter(iso3="TUR").update(updated_at=whole_second.replace(microsecond=281000))
    Citation.objects.update(field="")
    for table in TABLES.values():
        queryset = table.model._default_manager.all()
        fast = b"".join(table.csv_blocks(queryset, chunk_size=3))
        assert fast == b"".join(stream_csv(table.stream(queryset))), table.name


# Admin action ------------------------------------------------------------------------------


def export_action(client, model, ids):
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    return client.post(url, {"action": "export_selected_csv", "_selected_action": [str(pk) for pk in ids]})


def test_admin_exports_the_selected_rows_with_the_table_columns(client):
    w = world()
    client.force_login(make_user("root", superuser=True))
    response = export_action(client, Agreement, [w["draft"].pk])
    assert response["Content-Disposition"] == 'attachment; filename="agreements.csv"'
    assert header(export_action(client, Agreement, [w["draft"].pk])) == TABLES["agreements"].header
    rows = download(export_action(client, Agreement, [w["draft"].pk]))
    assert [int(row["id"]) for row in rows] == [w["draft"].pk]
    citations = list(Citation.objects.order_by("id").values_list("pk", flat=True)[:2])
    rows = download(export_action(client, Citation, citations))
    assert [int(row["id"]) for row in rows] == citations


def test_admin_offers_the_action_on_exported_models_only(client):
    world()  # a changelist shows its actions when it lists something
    client.force_login(make_user("root", superuser=True))
    page = client.get("/admin/alliances/agreement/").content.decode()
    assert "export_selected_csv" in page and "Export selected agreements as CSV" in page
    assert "export_selected_csv" in client.get("/admin/sources/source/").content.decode()
    assert "export_selected_csv" not in client.get("/admin/auth/user/").content.decode()
