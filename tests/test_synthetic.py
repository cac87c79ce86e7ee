"""Synthetic data for benchmarks: deterministic, in proportion, every quote really anchored."""

import datetime
import hashlib
from collections import defaultdict

import pycountry
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from alliances.models import Agreement, Claim, Clause, Country, Membership, Organisation, Party, Person
from sources.anchoring import anchor_quote
from sources.models import Citation, Source
from sources.partial_dates import period_end
from tests.conftest import make_source
from tools.synthetic import Scale, checksum, generate

N = 2_000
CITED_MODELS = (Agreement, Party, Clause, Membership, Claim)


def counts() -> dict[str, int]:
    models = (Country, Organisation, Person, *CITED_MODELS, Source, Citation)
    return {model.__name__: model.objects.count() for model in models}


def generated(seed: int) -> tuple[str, dict[str, int]]:
    """Generate, fingerprint, and roll back, so the next run starts from the same database."""
    with transaction.atomic():
        generate(Scale.for_citations(N), seed)
        result = checksum(), counts()
        transaction.set_rollback(True)
    return result


@pytest.fixture
def synthetic(db):
    generate(Scale.for_citations(N), seed=3)


def test_same_seed_gives_the_same_data(db):
    first, second, other = generated(5), generated(5), generated(6)
    assert first == second
    assert other[0] != first[0]


def test_proportions_follow_the_scale(synthetic):
    scale, found = Scale.for_citations(N), counts()
    assert found["Citation"] == N
    assert found["Source"] == scale.sources == N // 20
    assert found["Agreement"] == scale.agreements == N // 50
    assert found["Claim"] == scale.claims == N // 5
    assert found["Person"] == scale.persons
    assert abs(found["Clause"] - scale.clauses) <= 0.15 * scale.clauses
    assert abs(found["Party"] - scale.party_actions) <= 0.25 * scale.party_actions
    assert Scale.for_citations(1_000_000).countries == len(pycountry.countries)
    assert Scale.for_citations(1_000_000).as_dict() | {"countries": 250} == {
        "citations": 1_000_000, "countries": 250, "organisations": 500, "memberships": 2_500,
        "persons": 20_000, "agreements": 20_000, "party_actions": 60_000, "clauses": 100_000,
        "claims": 200_000, "sources": 50_000,
    }
    for country in Country.objects.all():
        assert pycountry.countries.get(alpha_3=country.iso3).alpha_2 == country.iso2


def test_every_citation_anchors_where_it_says(synthetic):
    texts = dict(Source.objects.values_list("pk", "text"))
    for source in Source.objects.all():
        assert source.sha256 == hashlib.sha256(source.text.encode()).hexdigest()
    citations = list(Citation.objects.select_related("source"))
    assert len(citations) == N
    for c in citations:
        text = texts[c.source_id]
        assert text[c.start : c.end] == c.quote
        found = anchor_quote(text, c.quote)
        assert (found.start, found.end, found.prefix, found.suffix, found.match) == (
            c.start, c.end, c.prefix, c.suffix, c.match
        ) == (c.start, c.end, text[max(0, c.start - 32) : c.start], text[c.end : c.end + 32], "exact")
        assert c.anchored_sha256 == c.source.sha256
    # The model's own anchoring agrees, for a sample (it is the same computation).
    for c in citations[::100]:
        stored = (c.start, c.end, c.prefix, c.suffix, c.match, c.anchored_sha256)
        c.start = None
        c.anchor(strict=True)
        assert (c.start, c.end, c.prefix, c.suffix, c.match, c.anchored_sha256) == stored


def test_everything_is_published_and_cited(synthetic):
    for model in (Country, Organisation, Person, *CITED_MODELS):
        assert not model.objects.exclude(status="published").exists(), model
    for model in CITED_MODELS:
        cited = set(Citation.objects.filter(**{model._meta.model_name + "__isnull": False})
                    .values_list("object_id", flat=True))
        assert cited == set(model.objects.values_list("pk", flat=True)), model
    assert set(Citation.objects.values_list("match", flat=True)) == {"exact"}


def test_records_pass_the_products_own_validation(synthetic):
    for model in (*CITED_MODELS, Person, Organisation):
        for record in model.objects.all()[:15]:
            record.full_clean()  # the publishing rule included: each has a verified citation


def test_partial_dates_have_varied_precision(synthetic):
    precisions = set(Agreement.objects.values_list("signed_on_precision", flat=True))
    assert {"day", "month", "year"} <= precisions
    for agreement in Agreement.objects.exclude(signed_on_precision="day").exclude(signed_on=None):
        assert agreement.signed_on.day == 1


def test_party_actions_follow_the_party_rule(synthetic):
    actions = defaultdict(list)
    for party in Party.objects.select_related("agreement"):
        actions[party.agreement_id, party.country_id].append(party)
    leavers = 0
    for (_, country), rows in actions.items():
        agreement = rows[0].agreement
        assert agreement.legal_status != "proposed"
        joined = [p.date for p in rows if p.action in Party.JOINING]
        assert joined, "every action follows a signature or accession"
        for p in rows:
            assert p.date >= agreement.signed_on
            if agreement.ends_on:
                assert p.date <= period_end(agreement.ends_on, agreement.ends_on_precision)
        for p in rows:
            if p.action in Party.LEAVING:
                leavers += 1
                assert p.date > min(joined)
                before = p.date - datetime.timedelta(days=1)
                bound = Party.objects.bound_on(before).filter(agreement=agreement, country=country)
                assert bound.exists() or (agreement.ends_on and agreement.ends_on <= before)
                after = Party.objects.bound_on(p.date).filter(agreement=agreement, country=country)
                assert not after.exists()
    assert leavers > 0
    assert Party.objects.filter(action="accession").exists()
    assert not Party.objects.filter(agreement__legal_status="proposed").exists()


def test_the_command_refuses_a_database_that_holds_data(db, capsys):
    make_source(title="A real article")
    with pytest.raises(CommandError, match="curated records"):
        call_command("generate_synthetic", citations=1_000)
    call_command("generate_synthetic", citations=1_000, force=True)
    assert "no history rows" in capsys.readouterr().out
    assert Citation.objects.count() == 1_000
    with pytest.raises(CommandError, match="already holds synthetic data"):
        call_command("generate_synthetic", citations=1_000, force=True)


def test_benchmark_statistics_and_csv_counting():
    import io

    from tools.benchmarking.client import Unavailable, count_csv_rows, interleaved, percentile

    assert percentile(list(range(1, 101)), 50) == 50
    assert percentile(list(range(1, 101)), 99) == 99
    assert percentile([3.0], 99) == 3.0
    body = b'id,quote\r\n1,"two\n\nparagraphs"\r\n2,plain\r\n'
    assert count_csv_rows(io.BytesIO(body)) == 2
    calls = []

    def missing():
        raise Unavailable("404")

    samples = interleaved({"a": lambda: calls.append("a") or 1.0, "b": missing}, runs=3, warmup=1)
    assert samples["a"] == [1.0, 1.0, 1.0] and len(calls) == 4
    assert samples["b"] == [] and samples["why:b"] == ["404"]


def test_the_planner_has_statistics_after_a_load(synthetic):
    """Without them SQLite takes `status = 'published'` as selective and may read a page's
    clauses by the status index (all published) instead of their agreement's."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'citation_record_idx'")
            rows = int(cursor.fetchone()[0].split()[0])
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'sources_citation'")
            rows = cursor.fetchone()[0]
    assert rows == N
