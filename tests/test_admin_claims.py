"""The claims admin an analyst can use: the figure's value, unit, bound and period, who claimed it
and when, contradictions as a column and a filter, and a claim's contradicting claims side by side
with their quotes, in a number of queries that does not grow with the rows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from alliances.admin.claims import in_words
from tests.conftest import cite, make_claim, make_person, make_source

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:alliances_claim_changelist")
TEXT = ("Bilateral trade passed USD 181 million in 2023, officials said. An analyst called the figure "
        "inflated by re-exports. Another put it at USD 150 million.")


def claim_url(claim) -> str:
    return reverse("admin:alliances_claim_change", args=[claim.pk])


def figure(**fields):
    return make_claim(kind="figure", quantity_value=Decimal("181000000"), quantity_unit="USD",
                      quantity_bound="over", period_start="2023", period_end="2023", **fields)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def shown(client, **filters) -> set:
    return set(client.get(CHANGELIST, filters).context["cl"].result_list)


@pytest.mark.parametrize(("value", "words"), [
    ("181000000", "181 million"), ("1500000000", "1.5 billion"), ("300000", "300,000"),
    ("40", "40"), ("0.0150", "0.015"), ("-2500000", "-2.5 million"),
])
def test_figures_read_in_words_exactly(value, words):
    assert in_words(Decimal(value)) == words


def test_figure_claims_show_value_unit_bound_period_claimant_and_date(client, editor):
    client.force_login(editor)
    figure(text="Trade passed USD 181 million in 2023.", claimant=make_person(name="Ilham Aliyev"),
           claimed_on="2024-02")
    make_claim(text="The alliance is a milestone.", kind="assessment")
    page = client.get(CHANGELIST).content.decode()
    for cell in ('<td class="field-value">181 million</td>', '<td class="field-unit">USD</td>',
                 '<td class="field-claimed">2024-02</td>', '<td class="field-contradictions">0</td>'):
        assert cell in page
    assert '<abbr title="more than (over, exceeded: a lower bound)">&gt;</abbr>' in page
    assert '<td class="field-period_covered"><span class="nowrap">2023</span></td>' in page
    assert "Ilham Aliyev" in page
    assert '<td class="field-value">–</td>' in page  # the assessment has no figure


def test_contradictions_are_a_column_and_a_filter(client, editor):
    client.force_login(editor)
    official, doubt, other = figure(text="Official"), make_claim(text="Doubt"), make_claim(text="Unrelated")
    official.contradicts.set([doubt])
    assert shown(client, contradicted="yes") == {official, doubt}
    assert shown(client, contradicted="no") == {other}
    assert shown(client) == {official, doubt, other}
    assert [claim.n_contradicts for claim in shown(client, contradicted="yes")] == [1, 1]
    ordered = client.get(CHANGELIST, {"o": "-9"}).context["cl"].result_list  # by contradictions
    assert ordered[len(ordered) - 1] == other


def build_contradicted(n: int, source) -> None:
    for i in range(n):
        claim = figure(text=f"Trade figure {i}", claimant=make_person(), claimed_on="2024")
        rival = make_claim(text=f"Doubt {i}", claimant=make_person())
        claim.contradicts.add(rival)
        cite(claim, source, quote="181 million")
        cite(rival, source, quote="inflated by re-exports")


def test_the_changelist_makes_no_query_per_claim(client, editor):
    client.force_login(editor)
    source = make_source(text=TEXT)
    build_contradicted(2, source)
    with_four = queries(client, CHANGELIST)
    build_contradicted(10, source)
    assert queries(client, CHANGELIST) == with_four
    assert queries(client, f"{CHANGELIST}?contradicted=yes") == with_four


def test_a_claims_page_shows_the_claims_it_contradicts_side_by_side_with_their_quotes(client, editor):
    client.force_login(editor)
    source = make_source(title="Trade report", text=TEXT)
    official = figure(text="Trade passed USD 181 million in 2023.")
    cite(official, source, quote="181 million")
    doubt = make_claim(text="The figure is inflated.", kind="assessment",
                       claimant=make_person(name="Dana Example"), claimed_on="2024-03")
    cite(doubt, source, quote="inflated by re-exports")
    lower = figure(text="Trade was USD 150 million.")
    official.contradicts.set([doubt, lower])
    page = client.get(claim_url(official)).content.decode()
    cards = page[page.index('<div class="claim-cards">'):]
    cards = cards[:cards.index("</div>")]
    assert cards.index("This claim: Claim #") < cards.index(escape(doubt.text)) < cards.index(lower.text)
    assert f'<a href="{claim_url(doubt)}">Claim #{doubt.pk}</a>' in cards
    assert f'<a href="{claim_url(lower)}">Claim #{lower.pk}</a>' in cards
    assert "<q>inflated by re-exports</q>" in cards and "<q>181 million</q>" in cards
    assert f'<a href="{reverse("admin:sources_source_change", args=[source.pk])}">Trade report</a>' in cards
    assert "Said by Dana Example, 2024-03" in cards and "No citation." in cards  # the lower figure
    assert 'name="side_by_side"' not in page  # read-only


def test_the_side_by_side_view_takes_as_many_queries_for_one_claim_as_for_five(client, editor):
    client.force_login(editor)
    source = make_source(text=TEXT)
    claim = figure(text="Trade passed USD 181 million in 2023.")

    def contradict(n):
        for _ in range(n):
            rival = make_claim(text=f"Doubt {claim.contradicts.count()}", claimant=make_person())
            cite(rival, source, quote="inflated by re-exports")
            claim.contradicts.add(rival)

    contradict(1)
    with_one = queries(client, claim_url(claim))
    contradict(4)
    assert queries(client, claim_url(claim)) == with_one


def test_a_claim_without_contradictions_says_so(client, editor):
    client.force_login(editor)
    page = client.get(claim_url(make_claim())).content.decode()
    assert "No claim is marked as contradicting this one." in page
    assert client.get(reverse("admin:alliances_claim_add")).status_code == 200
