"""The derived files over the API: dyad-years (and state-years, members, agreement-level) in
JSON pages and CSV, their filters, their 400s, and what anonymous callers see."""

import csv
import io

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from alliances.exports import dyad_years
from alliances.models import Agreement, Clause, Party, ProvisionType
from tests.conftest import make_agreement, make_clause, make_country, make_party, make_user, publish

pytestmark = pytest.mark.django_db

API = "/api/v1"


def treaty() -> dict:
    """AZE (COW 373) and TUR (640) bound since 2021 by a published defence pact with a one-way
    clause; GEO (372) on a draft agreement with AZE since 2015."""
    aze, tur = make_country("AZE", cow_code=373), make_country("TUR", cow_code=640)
    geo = make_country("GEO", cow_code=372)
    pact = publish(make_agreement(title="Shusha Declaration", signed_on="2021-06-15"))
    for country in (aze, tur):
        publish(make_party(agreement=pact, country=country, date="2021-06-15"))
    defense = ProvisionType.objects.get(slug="defense")
    clause = make_clause(agreement=pact, provision_types=[defense])
    clause.obligors.set([tur])
    clause.beneficiaries.set([aze])
    publish(clause)
    draft = make_agreement(title="Draft pact", signed_on="2015")
    for country in (aze, geo):
        make_party(agreement=draft, country=country, date="2015")
    return locals()


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def download(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


def test_non_directed_dyads_lower_cow_code_first(anon):
    treaty()
    found = rows(anon.get(f"{API}/dyad-years/", {"page_size": 1000}))
    years = list(range(2021, timezone.now().year + 1))
    assert [(row["ccode1"], row["iso3_2"], row["year"]) for row in found] == [(373, "TUR", y) for y in years]
    first = found[0]
    assert (first["defense"], first["offense"], first["n_agreements"]) == (1, 0, 1)
    assert list(first)[:5] == ["ccode1", "ccode2", "iso3_1", "iso3_2", "year"]


def test_directed_dyads_follow_the_clause(anon):
    treaty()
    found = rows(anon.get(f"{API}/dyad-years/", {"directed": "true", "year_to": 2021}))
    assert [(row["iso3_a"], row["iso3_b"], row["year"]) for row in found] == [("TUR", "AZE", 2021)]


def test_filters(anon):
    treaty()
    assert len(rows(anon.get(f"{API}/dyad-years/", {"year_from": 2022, "year_to": 2023}))) == 2
    assert rows(anon.get(f"{API}/dyad-years/", {"country": "tr", "year_to": 2021}))[0]["year"] == 2021
    assert rows(anon.get(f"{API}/dyad-years/", {"provision": "consul"})) == []
    assert rows(anon.get(f"{API}/dyad-years/", {"provision": "defense", "year_to": 2021}))


@pytest.mark.parametrize("params, field", [
    ({"year_from": "soon"}, "year_from"),
    ({"year_from": 2020, "year_to": 2010}, "year_to"),
    ({"directed": "maybe"}, "directed"),
    ({"country": "Azerbaijan"}, "country"),
    ({"country": "ZZ"}, "country"),
    ({"provision": "friendship"}, "provision"),
    ({"contry": "AZ"}, "contry"),
])
def test_bad_values_and_unknown_parameters_are_400(anon, params, field):
    treaty()
    for extra in ({}, {"format": "csv"}):
        response = anon.get(f"{API}/dyad-years/", {**params, **extra})
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json" and field in response.json()


def test_anonymous_callers_see_published_agreements_only_editors_all():
    treaty()
    anon = APIClient()
    assert {row["iso3_1"] for row in rows(anon.get(f"{API}/dyad-years/", {"page_size": 1000}))} == {"AZE"}
    editor = APIClient()
    editor.force_authenticate(make_user("editor", "editors"))
    found = rows(editor.get(f"{API}/dyad-years/", {"page_size": 1000, "year_to": 2015}))
    assert [(row["iso3_1"], row["iso3_2"], row["year"]) for row in found] == [("GEO", "AZE", 2015)]


def test_csv_is_the_whole_file_of_the_export_core(anon):
    treaty()
    response = anon.get(f"{API}/dyad-years/", {"format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="dyad-years.csv"'
    table = download(anon.get(f"{API}/dyad-years/", {"format": "csv"}))
    published = dict(agreements=Agreement.objects.published(), parties=Party.objects.published(),
                     clauses=Clause.objects.published())
    assert table == [[str(cell) if cell is not None else "" for cell in row]
                     for row in dyad_years.stream(**published)]
    directed = anon.get(f"{API}/dyad-years/", {"format": "csv", "directed": "true"}, HTTP_ACCEPT="text/csv")
    assert directed["Content-Disposition"] == 'attachment; filename="dyad-years-directed.csv"'
    assert anon.get(f"{API}/dyad-years/", HTTP_ACCEPT="text/csv")["Content-Type"].startswith("text/csv")
    assert anon.get(f"{API}/dyad-years/", {"format": "csv", "page_size": 5}).status_code == 400


def test_pages_cover_the_file_once(anon):
    treaty()
    everything = rows(anon.get(f"{API}/dyad-years/", {"page_size": 1000}))
    page, walked = anon.get(f"{API}/dyad-years/", {"page_size": 2}).json(), []
    while True:
        walked += page["results"]
        if not page["next"]:
            break
        page = anon.get(page["next"]).json()
    assert walked == everything
    last = len(page["results"])
    assert anon.get(page["previous"]).json()["results"] == walked[-last - 2:-last]
    assert anon.get(f"{API}/dyad-years/", {"cursor": "nonsense"}).status_code == 400


def test_state_years_members_and_agreement_level(anon):
    w = treaty()
    states = rows(anon.get(f"{API}/state-years/", {"year_to": 2021}))
    assert [(row["iso3"], row["year"]) for row in states] == [("AZE", 2021), ("TUR", 2021)]
    members = rows(anon.get(f"{API}/members/", {"country": "TUR"}))
    assert [(row["agreement_id"], row["entry"]) for row in members] == [(w["pact"].pk, "2021-06-15")]
    assert anon.get(f"{API}/members/", {"year_from": 2000}).status_code == 400
    level = rows(anon.get(f"{API}/agreement-level/", {"provision": "defense"}))
    assert [(row["agreement_id"], row["members"]) for row in level] == [(w["pact"].pk, "AZE;TUR")]
    header = download(anon.get(f"{API}/agreement-level/", {"format": "csv"}))[0]
    assert header[:3] == ["agreement_id", "atopid", "cow_id"]


def test_the_schema_lists_the_derived_files(anon):
    schema = anon.get(f"{API}/schema/", {"format": "json"}).json()
    for name in ("dyad-years", "state-years", "members", "agreement-level"):
        operation = schema["paths"][f"{API}/{name}/"]["get"]
        assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    parameters = schema["paths"][f"{API}/dyad-years/"]["get"]["parameters"]
    expected = {"directed", "country", "year_from", "year_to", "provision", "cursor", "page_size", "format"}
    assert expected <= {parameter["name"] for parameter in parameters}
