"""The editors' admin: every model reachable, searchable by alias, no query per row."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from alliances.admin.base import CitationInline
from alliances.models import (
    Agreement,
    Claim,
    Clause,
    Country,
    CuratedRecord,
    Membership,
    Organisation,
    Party,
    Person,
    ProvisionType,
)
from sources.highlighting import Segment, segments
from sources.models import Citation, Source
from tests.conftest import (
    cite,
    make_agreement,
    make_claim,
    make_clause,
    make_country,
    make_membership,
    make_organisation,
    make_party,
    make_person,
    make_source,
)

pytestmark = pytest.mark.django_db

OURS = [model for model in admin.site._registry if model._meta.app_label in ("sources", "alliances")]
ISO3 = ["AZE", "TUR", "UZB", "KAZ", "KGZ", "TKM", "HUN", "GEO", "ARM", "RUS", "CHN", "IRN",
        "PAK", "AFG", "TJK", "MNG", "UKR", "BLR", "MDA", "ROU", "BGR", "GRC"]


def admin_url(model, view="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def build(model, i: int):
    """The i-th record of `model`, with the relations its changelist shows."""
    if model is Country:
        return make_country(ISO3[i])
    if model is Organisation:
        return make_organisation(acronym=f"O{i}")
    if model is Person:
        return make_person(country=make_country(ISO3[i]), organisation=make_organisation())
    if model is Agreement:
        agreement = make_agreement(organisation=make_organisation(), signed_on="2021-06")
        make_party(agreement=agreement, country=make_country(ISO3[i]))
        cite(agreement)
        return agreement
    if model is Party:
        return make_party(agreement=make_agreement(), country=make_country(ISO3[i]),
                          signed_by=make_person())
    if model is Clause:
        return make_clause(agreement=make_agreement(), provision_types=ProvisionType.objects.all()[:2])
    if model is Membership:
        return make_membership(organisation=make_organisation(), country=make_country(ISO3[i]))
    if model is Claim:
        return make_claim(claimant=make_person())
    if model is ProvisionType:
        return ProvisionType.objects.create(slug=f"type-{i}", name=f"Type {i}")
    if model is Source:
        source = make_source()
        cite(make_agreement(), source)
        return source
    if model is Citation:
        return cite(make_agreement() if i % 2 else make_claim(), make_source())
    raise AssertionError(f"no builder for {model}")


def test_every_domain_model_is_registered():
    expected = {Source, Citation, Country, Organisation, Membership, Person, Agreement, Party, Clause,
                ProvisionType, Claim}
    assert set(OURS) == expected


def test_every_curated_admin_edits_citations_inline():
    curated = [model for model in OURS if issubclass(model, CuratedRecord)]
    assert len(curated) == 8
    for model in curated:
        assert CitationInline in admin.site._registry[model].inlines, model
    inlines = admin.site._registry[Agreement].inlines
    assert [inline.template.split("/")[-1] for inline in inlines] == [
        "tabular.html", "stacked.html", "tabular.html",
    ]
    assert admin.site._registry[Citation].show_full_result_count is False


def test_relations_to_large_tables_use_autocomplete():
    targets = {Country, Person, Organisation, Agreement, ProvisionType, Claim, Source}
    for model, model_admin in admin.site._registry.items():
        # An inline's key to the record of its page is set by the page, not chosen.
        for edited, edited_model, parent in [(model_admin, model, None)] + [
            (inline, inline.model, model) for inline in model_admin.inlines
        ]:
            relations = {
                field.name for field in edited_model._meta.get_fields()
                if (field.many_to_one or field.many_to_many) and not field.auto_created
                and field.related_model in targets and field.related_model is not parent
            }
            assert relations <= set(edited.autocomplete_fields), edited


@pytest.mark.parametrize("model", OURS, ids=lambda model: model.__name__)
def test_changelist_add_and_change_pages_answer(client, superuser, model):
    client.force_login(superuser)
    record = build(model, 0)
    assert client.get(admin_url(model)).status_code == 200
    assert client.get(admin_url(model, "add")).status_code == 200
    assert client.get(admin_url(model, "change", record.pk)).status_code == 200
    assert client.get(admin_url(model, "history", record.pk)).status_code == 200


def changelist_queries(client, model) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(admin_url(model))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", OURS, ids=lambda model: model.__name__)
def test_changelist_makes_no_query_per_row(client, superuser, model):
    client.force_login(superuser)
    for i in range(2):
        build(model, i)
    with_two = changelist_queries(client, model)
    for i in range(2, 20):
        build(model, i)
    assert model.objects.count() >= 20
    assert changelist_queries(client, model) == with_two


def search(client, model, term):
    response = client.get(admin_url(model), {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_country_found_by_alias(client, superuser):
    client.force_login(superuser)
    turkey = make_country("TUR", name="Turkey", aliases=["Türkiye", "Republic of Türkiye"])
    turkmenistan = make_country("TKM")
    assert search(client, Country, "Türki") == [turkey]
    assert sorted(search(client, Country, "Türk"), key=str) == [turkey, turkmenistan]  # folded: Turk
    assert search(client, Country, "türkiye") == [turkey]
    assert search(client, Country, "Republic Türk") == [turkey]
    assert search(client, Country, "Turkm") != [turkey]


def test_country_named_turkiye_found_as_turkey(client, superuser):
    client.force_login(superuser)
    turkiye = make_country("TUR", name="Türkiye", aliases=["Turkey"])
    assert search(client, Country, "Turkey") == [turkiye]
    assert search(client, Country, "Türk") == [turkiye]


def test_autocomplete_finds_organisation_by_alias(client, superuser):
    client.force_login(superuser)
    ots = make_organisation(name="Organization of Turkic States", acronym="OTS",
                            aliases=["Turkic Council", "Türk Keneşi"])
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "alliances", "model_name": "person", "field_name": "organisation",
        "term": "Keneş",
    })
    assert [item["id"] for item in response.json()["results"]] == [str(ots.pk)]


def test_aliases_are_edited_one_per_line(client, superuser):
    client.force_login(superuser)
    response = client.post(admin_url(Organisation, "add"), {
        "name": "Organization of Turkic States", "acronym": "OTS", "kind": "regional_forum",
        "aliases": "Turkic Council\r\n\r\n  Cooperation Council of   Turkic Speaking States \nTurkic Council",
        "status": "draft", **no_citations(),
    })
    assert response.status_code == 302, response.context["errors"]
    ots = Organisation.objects.get()
    assert ots.aliases == ["Turkic Council", "Cooperation Council of Turkic Speaking States"]
    page = client.get(admin_url(Organisation, "change", ots.pk)).content.decode()
    assert "Turkic Council\nCooperation Council of Turkic Speaking States</textarea>" in page


def no_citations():
    prefix = "sources-citation-content_type-object_id"
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}


def test_source_text_is_escaped(client, superuser):
    client.force_login(superuser)
    source = make_source(text="Before <script>alert(1)</script> the Shusha Declaration & after.")
    agreement = make_agreement(title="<b>Shusha</b> Declaration")
    cite(agreement, source, quote="Shusha Declaration")
    page = client.get(admin_url(Source, "change", source.pk)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Shusha</b>" not in page
    link = admin_url(Agreement, "change", agreement.pk)
    assert (f'<mark class="cited depth-1" title="agreement #{agreement.pk}: &lt;b&gt;Shusha&lt;/b&gt; '
            f'Declaration"><a href="{link}" draggable="false">Shusha Declaration</a></mark> &amp; after.'
            ) in page


def test_overlapping_citations_are_marked_in_segments(client, superuser):
    client.force_login(superuser)
    source = make_source(text="The parties pledge mutual assistance if attacked.")
    outer, inner = make_agreement(title="Outer"), make_claim(text="Inner")
    cite(outer, source, quote="pledge mutual assistance")
    cite(inner, source, quote="mutual assistance if attacked")
    page = client.get(admin_url(Source, "change", source.pk)).content.decode()
    outer_url, inner_url = admin_url(Agreement, "change", outer.pk), admin_url(Claim, "change", inner.pk)
    assert (
        f'The parties <mark class="cited depth-1" title="agreement #{outer.pk}: Outer">'
        f'<a href="{outer_url}" draggable="false">pledge </a></mark>'
        f'<mark class="cited depth-2" title="agreement #{outer.pk}: Outer; claim #{inner.pk}: Inner">'
        f'<a href="{inner_url}" draggable="false">mutual assistance</a></mark>'
        f'<mark class="cited depth-1" title="claim #{inner.pk}: Inner">'
        f'<a href="{inner_url}" draggable="false"> if attacked</a></mark>.'
    ) in page


def test_segments_split_at_every_edge_in_reading_order():
    text = "abcdefghij"
    result = segments(text, [(5, 8, "late"), (2, 9, "outer"), (3, 5, "inner"), (None, None, "broken"),
                             (4, 40, "stale")])
    assert result == [
        Segment(0, 2, "ab", ()),
        Segment(2, 3, "c", ("outer",)),
        Segment(3, 5, "de", ("outer", "inner")),
        Segment(5, 8, "fgh", ("outer", "late")),
        Segment(8, 9, "i", ("outer",)),
        Segment(9, 10, "j", ()),
    ]
    assert "".join(segment.text for segment in result) == text


def test_segments_of_identical_spans_and_edges():
    assert segments("abc", [(0, 3, 1), (0, 3, 2)]) == [Segment(0, 3, "abc", (1, 2))]
    assert segments("abc", []) == [Segment(0, 3, "abc", ())]
    assert segments("", [(0, 1, 1)]) == []


def test_source_added_by_pasting_text(client, superuser):
    client.force_login(superuser)
    data = {"title": "Shusha Declaration", "kind": "treaty_text", "text": "Article 1. The parties..."}
    response = client.post(admin_url(Source, "add"), data)
    assert response.status_code == 302
    source = Source.objects.get()
    assert len(source.sha256) == 64
    response = client.post(admin_url(Source, "add"), {**data, "title": "Again"})
    assert response.status_code == 200
    assert Source.objects.count() == 1
    message = f'This text is already stored as source #{source.pk} "Shusha Declaration".'
    assert response.context["adminform"].form.errors["text"] == [message]
    assert escape(message) in response.content.decode()


def test_source_list_counts_citations(client, superuser):
    client.force_login(superuser)
    source = make_source()
    cite(make_agreement(), source)
    cite(make_claim(), source, quote="mutual assistance")
    [row] = client.get(admin_url(Source)).context["cl"].result_list
    assert row == source and row.n_citations == 2


def test_citation_list_links_the_cited_record(client, superuser):
    client.force_login(superuser)
    agreement = make_agreement(title="Shusha")
    cite(agreement)
    page = client.get(admin_url(Citation), {"q": "Shusha Decl"}).content.decode()
    link = admin_url(Agreement, "change", agreement.pk)
    assert f'<a href="{link}">agreement #{agreement.pk}: Shusha</a>' in page


def test_citation_added_from_the_citation_list_is_anchored(client, superuser):
    client.force_login(superuser)
    agreement, source = make_agreement(), make_source(title="Azertac")
    url = admin_url(Citation, "add")
    choices = client.get(url).context["adminform"].form.fields["content_type"].queryset
    assert sorted(content_type.model for content_type in choices) == [
        "agreement", "claim", "clause", "country", "membership", "organisation", "party", "person",
    ]
    data = {"source": source.pk, "content_type": choices.get(model="agreement").pk,
            "object_id": agreement.pk + 100, "quote": "mutual assistance"}
    response = client.post(url, data)
    assert response.context["adminform"].form.errors["object_id"] == [
        f"There is no agreement #{agreement.pk + 100}."
    ]
    assert client.post(url, data | {"object_id": agreement.pk}).status_code == 302
    citation = Citation.objects.get()
    assert (citation.record, citation.match) == (agreement, "exact")


def test_stored_citation_keeps_its_source_and_record(client, superuser):
    client.force_login(superuser)
    citation = cite(make_agreement(), make_source(), quote="Shusha Declaration")
    url = admin_url(Citation, "change", citation.pk)
    form = client.get(url).context["adminform"].form
    assert {"source", "content_type", "object_id"}.isdisjoint(form.fields)
    response = client.post(url, {"quote": "eternal friendship", "field": "", "text_fragment": "",
                                 "prefix": "", "suffix": ""})
    assert "quote not found" in response.context["adminform"].form.errors["quote"][0]
    citation.refresh_from_db()
    assert citation.quote == "Shusha Declaration"


def test_source_page_makes_no_query_per_citation(client, superuser):
    client.force_login(superuser)
    source = make_source(text=" ".join(f"Passage number {i}." for i in range(30)))
    url = admin_url(Source, "change", source.pk)
    for i in range(2):
        cite(make_agreement() if i % 2 else make_claim(), source, quote=f"Passage number {i}.")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(2, 20):
        cite(make_agreement() if i % 2 else make_claim(), source, quote=f"Passage number {i}.")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count("<mark ") == 20
    assert len(many) == len(few)
