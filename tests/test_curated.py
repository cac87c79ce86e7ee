"""manage.py load_curated: the curated dataset, loaded through the admin's validation, idempotently."""

import copy
import datetime
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from alliances.curated import DEFAULT_FILE
from alliances.models import Agreement, Claim, Clause, Country, Membership, Organisation, Party, Person
from sources.models import Citation, Source

pytestmark = pytest.mark.django_db

# A made-up article, so that the tests depend on no seed text.
ARTICLE = """Kazakhstan and Georgia sign a pact of mutual consultation

Astana, 12 March 2024. The foreign ministers of Kazakhstan and Georgia today signed the
Caspian–Black Sea Consultation Pact, under which the two governments will “consult each other
without delay” whenever either considers its security threatened. Georgia also joined the
Caspian Transit Forum as an observer. Officials said that trade between the two countries grew
by 12 percent in 2023; an independent analyst, Dana Example, called the figure “optimistic at best”.
"""

CURATED = (Agreement, Membership, Party, Clause, Claim)
MODELS = (Source, Citation, Country, Organisation, Person, *CURATED)


def cited(quote=None, fragment=None, **fields):
    passage = {"quote": quote} if quote else {"fragment": fragment}
    return [{"source": "pact-news", **passage, **fields}]


def dataset() -> dict:
    return {
        "sources": [{
            "key": "pact-news", "file": "pact.txt", "title": "Kazakhstan and Georgia sign a pact",
            "publisher": "Test Wire", "published": "2024-03", "published_note": "from the dateline",
            "language": "en", "kind": "news",
        }],
        "countries": [
            {"iso3": "KAZ", "name": "Kazakhstan", "cow_code": 705, "status": "published",
             "citations": cited("Kazakhstan and Georgia sign")},
            {"iso3": "GEO", "name": "Georgia", "cow_code": 372, "aliases": ["Sakartvelo"],
             "status": "published"},
        ],
        "organisations": [{"key": "ctf", "name": "Caspian Transit Forum", "kind": "regional_forum",
                           "status": "published"}],
        "persons": [{"key": "dana", "name": "Dana Example", "affiliation": "Independent analyst",
                     "status": "published", "citations": cited("an independent analyst, Dana Example")}],
        "agreements": [
            # Listed before its parent: the loader stores parents first.
            {"key": "pact-protocol", "title": "Protocol to the Consultation Pact", "kind": "protocol",
             "legal_status": "proposed", "parent": "pact", "status": "draft"},
            {"key": "pact", "title": "Caspian–Black Sea Consultation Pact", "short_name": "Consultation Pact",
             "kind": "agreement", "legal_status": "signed", "signed_on": "2024-03-12", "signed_at": "Astana",
             "status": "published",
             "citations": cited(fragment="The foreign ministers,Caspian–Black Sea Consultation Pact",
                                field="signed_on")},
        ],
        "memberships": [{"organisation": "ctf", "country": "GEO", "role": "observer", "joined_on": "2024-03",
                         "note": "Joined on the pact's day, the\nmonth of the dateline.",
                         "status": "published", "citations": cited("Georgia also joined")}],
        "parties": [
            {"agreement": "pact", "country": iso3, "action": "signature", "date": "2024-03-12",
             "status": "published", "citations": cited("today signed")}
            for iso3 in ("KAZ", "GEO")
        ],
        "clauses": [{
            "key": "consult", "agreement": "pact", "label": "Consultation",
            "text": "The parties consult each other at once when either feels threatened.",
            "provision_types": ["consultation"], "conditions": "a threat to either party's security",
            "binding": "binding", "status": "published",
            "citations": cited('"consult each other without delay"'),  # straight quotes: normalised match
        }],
        "claims": [
            {"key": "trade", "text": "Kazakh–Georgian trade grew by 12 percent in 2023.", "kind": "figure",
             "subjects": {"countries": ["KAZ", "GEO"]},
             "quantity": {"value": 12, "unit": "percent", "period_start": "2023", "period_end": "2023"},
             "note": "A growth rate; the officials give no base year, so 2023 over 2022 is assumed.",
             "contradicts": ["doubt"], "status": "published", "citations": cited("grew by 12 percent")},
            {"key": "doubt", "text": "The trade growth figure is optimistic.", "kind": "assessment",
             "claimant": "dana", "claimed_on": "2024-03-12", "status": "published",
             "citations": cited("optimistic at best")},
        ],
    }


def write(tmp_path: Path, data: dict | None = None) -> tuple[Path, Path]:
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    (seeds / "pact.txt").write_text(ARTICLE, encoding="utf-8")
    path = tmp_path / "curated.yaml"
    path.write_text(yaml.safe_dump(data or dataset(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, seeds


def load(path: Path = DEFAULT_FILE, seeds: Path | None = None, *options: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    args = ["--file", str(path)] + (["--sources", str(seeds)] if seeds else []) + list(options)
    call_command("load_curated", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def row_counts() -> dict:
    """Rows and history rows of every table the loader writes, M2M tables included."""
    counts = {model._meta.label: (model.objects.count(), model.history.count()) for model in MODELS}
    for through in (Clause.provision_types.through, Clause.obligors.through, Claim.contradicts.through,
                    Claim.subject_countries.through):
        counts[through._meta.label] = through.objects.count()
    return counts


def assert_published_records_are_verified():
    for model in CURATED:
        for record in model.objects.published():
            assert Citation.objects.for_record(record).verified().exists(), record


# --- a small data file of the tests' own ---------------------------------------------


def test_loads_every_section(tmp_path):
    out, err = load(*write(tmp_path))
    pact = Agreement.objects.get(short_name="Consultation Pact")
    assert (pact.signed_on, pact.signed_on_precision, pact.signed_at) == (
        datetime.date(2024, 3, 12), "day", "Astana"
    )
    assert Agreement.objects.get(kind="protocol").parent == pact
    assert sorted(pact.parties.values_list("country__iso3", flat=True)) == ["GEO", "KAZ"]
    membership = Membership.objects.get()
    assert (membership.role, membership.joined_on_precision) == ("observer", "month")
    assert list(Clause.objects.get().provision_types.values_list("slug", flat=True)) == ["consultation"]
    assert membership.note == "Joined on the pact's day, the\nmonth of the dateline."
    trade = Claim.objects.get(kind="figure")
    assert trade.note.startswith("A growth rate;")
    assert pact.note == ""  # an entry without a note
    assert (trade.quantity_value, trade.quantity_unit) == (12, "percent")
    assert (trade.period_start, trade.period_start_precision) == (datetime.date(2023, 1, 1), "year")
    assert list(trade.contradicts.all()) == [Claim.objects.get(kind="assessment")]
    assert Claim.objects.get(kind="assessment").claimant.name == "Dana Example"
    source = Source.objects.get()
    assert (source.published_on_precision, source.text) == ("month", ARTICLE)
    assert Citation.objects.count() == 9
    assert Citation.objects.verified().count() == 9
    assert Citation.objects.get(field="signed_on").quote.endswith("Caspian–Black Sea Consultation Pact")
    assert_published_records_are_verified()
    assert "agreement: 2 created, 0 updated, 0 unchanged" in out
    assert err == ""


def test_published_records_are_stored_once_with_their_citations(tmp_path):
    load(*write(tmp_path))
    pact = Agreement.objects.get(short_name="Consultation Pact")
    [created] = pact.history.all()
    assert (created.history_type, created.status, created.history_change_reason) == (
        "+", "published", "load_curated"
    )


def test_loading_twice_changes_nothing(tmp_path):
    path, seeds = write(tmp_path)
    load(path, seeds)
    before = row_counts()
    updated_at = {m: list(m.objects.values_list("updated_at", flat=True)) for m in MODELS}
    out, _ = load(path, seeds)
    assert row_counts() == before
    assert {m: list(m.objects.values_list("updated_at", flat=True)) for m in MODELS} == updated_at
    assert " 0 created, 0 updated" in out
    assert "created, 0 updated" in out and ", 1 updated" not in out


def test_a_changed_value_updates_only_its_record(tmp_path):
    data = dataset()
    path, seeds = write(tmp_path, data)
    load(path, seeds)
    before = row_counts()
    data["clauses"][0]["provision_types"] = ["consultation", "mobility"]
    data["persons"][0]["affiliation"] = "Analyst"
    data["claims"][1]["contradicts"] = ["trade"]  # said from the other side: the same relation
    data["memberships"][0]["note"] = "Joined as observer, per the dateline."
    write(tmp_path, data)
    out, _ = load(path, seeds)
    assert "person: 0 created, 1 updated, 0 unchanged" in out
    assert "membership: 0 created, 1 updated, 0 unchanged" in out
    membership = Membership.objects.get()
    assert membership.note == "Joined as observer, per the dateline."
    assert membership.history.first().note == "Joined as observer, per the dateline."
    assert membership.history.last().note.startswith("Joined on the pact's day")
    assert "clause: 0 created, 1 updated, 0 unchanged" in out
    assert "claim: 0 created, 0 updated, 2 unchanged" in out
    after = row_counts()
    assert after["alliances.Person"] == (1, before["alliances.Person"][1] + 1)
    assert after["alliances.Clause_provision_types"] == 2


def test_records_edited_since_loaded_are_kept_unless_overwritten(tmp_path, editor):
    """An editor's work in the admin survives the next `make run` (which loads the file again)."""
    path, seeds = write(tmp_path)
    load(path, seeds)
    pact = Agreement.objects.get(short_name="Consultation Pact")
    pact.summary, pact._history_user = "Renewed every five years.", editor
    pact.save()
    out, _ = load(path, seeds)
    pact.refresh_from_db()
    assert pact.summary == "Renewed every five years."
    assert "agreement: 0 created, 0 updated, 1 unchanged; 1 edited since loaded, kept" in out
    assert "Kept 1 records as edited since they were loaded" in out
    out, _ = load(path, seeds, "--overwrite")
    pact.refresh_from_db()
    assert pact.summary == ""  # the file gives none
    assert "agreement: 0 created, 1 updated, 1 unchanged" in out
    assert pact.history.first().history_change_reason == "load_curated"


def test_records_the_file_no_longer_holds_are_kept_and_counted(tmp_path):
    data = dataset()
    path, seeds = write(tmp_path, data)
    load(path, seeds)
    data["persons"][0]["name"] = "Dana Q. Example"  # a new natural key: a new record
    write(tmp_path, data)
    out, _ = load(path, seeds)
    assert "person: 1 created, 0 updated, 0 unchanged; 1 others kept (not in the file)" in out
    assert "citation: 1 created, 0 updated, 8 unchanged; 1 others kept (not in the file)" in out
    assert Claim.objects.get(kind="assessment").claimant.name == "Dana Q. Example"
    assert Person.objects.count() == 2


def test_a_repeated_passage_cited_twice_with_context_loads_once(tmp_path):
    data = dataset()
    data["countries"][1]["citations"] = [
        {"source": "pact-news", "quote": "Kazakhstan and Georgia", "suffix": "sign a pact"},
        {"source": "pact-news", "quote": "Kazakhstan and Georgia", "prefix": "foreign ministers of"},
    ]
    path, seeds = write(tmp_path, data)
    load(path, seeds)
    georgia = Country.objects.get(iso3="GEO")
    starts = sorted(Citation.objects.for_record(georgia).values_list("start", flat=True))
    assert starts[0] == 0 and starts[1] > 0
    before = row_counts()
    out, _ = load(path, seeds)
    assert row_counts() == before
    assert "others kept" not in out


def test_a_quote_not_in_the_source_fails_naming_record_and_source(tmp_path):
    data = dataset()
    data["clauses"][0]["citations"] = cited("consult each other within a week")
    with pytest.raises(CommandError) as error:
        load(*write(tmp_path, data))
    message = str(error.value)
    assert "clauses[consult]" in message
    assert 'source "Kazakhstan and Georgia sign a pact"' in message
    assert 'quote not found: "consult each other within a week"' in message
    # One transaction: nothing from before the failing record is left behind.
    assert not any(model.objects.exists() for model in MODELS)


@pytest.mark.parametrize(
    ("section", "index", "change", "message"),
    [
        ("agreements", 1, {"sigend_on": "2024-03-12"}, r"agreements\[pact\]: unknown key\(s\) sigend_on"),
        ("claims", 0, {"quantity": {"value": 12, "units": "percent"}},
         r"claims\[trade\]: quantity: unknown key\(s\) units"),
        ("parties", 0, {"citations": [{"source": "pact-news", "qoute": "today signed"}]},
         r"parties\[pact KAZ signature 2024-03-12\]: citation 1: unknown key\(s\) qoute"),
        ("parties", 1, {"country": "ARM"}, r"country 'ARM' is not an iso3 of the countries section"),
        ("clauses", 0, {"provision_types": ["consultations"]}, r"unknown provision type\(s\) consultations"),
        ("memberships", 0, {"joined_on": "March 2024"}, r"memberships\[ctf GEO observer\]: joined_on: "),
        ("agreements", 1, {"kind": "pact"}, r"agreements\[pact\]: kind: Value 'pact' is not a valid choice"),
        ("claims", 1, {"contradicts": ["doubt"]}, r"claims\[doubt\]: a claim cannot contradict itself"),
        ("agreements", 1, {"citations": []}, r"agreements\[pact\]: status: .* cannot be published"),
        ("agreements", 1, {"citations": cited("today signed") * 2},
         r"agreements\[pact\]: citation 2 repeats citation 1"),
    ],
)
def test_bad_entries_fail_naming_the_record(tmp_path, section, index, change, message):
    data = dataset()
    data[section][index].update(change)
    with pytest.raises(CommandError, match=message):
        load(*write(tmp_path, data))
    assert not Agreement.objects.exists()


def test_unknown_sections_and_duplicates_fail(tmp_path):
    data = dataset() | {"treaties": []}
    with pytest.raises(CommandError, match="unknown section"):
        load(*write(tmp_path, data))
    data = dataset()
    data["claims"][1]["key"] = "trade"
    with pytest.raises(CommandError, match="claims: key used more than once: trade"):
        load(*write(tmp_path, data))
    data = dataset()
    data["parties"].append(copy.deepcopy(data["parties"][0]))
    with pytest.raises(CommandError, match="holds this party action twice"):
        load(*write(tmp_path, data))


def test_a_missing_seed_file_fails(tmp_path):
    path, seeds = write(tmp_path)
    (seeds / "pact.txt").unlink()
    with pytest.raises(CommandError, match=r"sources\[pact-news\]: .*pact.txt: no such file"):
        load(path, seeds)


def test_without_source_texts_records_load_unverified_as_review(tmp_path):
    path, _ = write(tmp_path)
    _, err = load(path, tmp_path / "no-such-dir")
    assert "Warning: no source directory" in err
    assert "7 records the file publishes were loaded as review" in err
    assert Source.objects.get().text == ""
    assert Citation.objects.count() == 9
    assert not Citation.objects.verified().exists()
    assert set(Agreement.objects.values_list("status", flat=True)) == {"review", "draft"}
    for model in CURATED:
        assert not model.objects.published().exists()
    # Records that need no verified citation keep the file's status.
    assert Country.objects.published().count() == 2
    assert Person.objects.published().count() == 1
    before = row_counts()
    load(path, tmp_path / "no-such-dir")
    assert row_counts() == before


def test_source_texts_arriving_later_verify_and_publish(tmp_path):
    path, seeds = write(tmp_path)
    load(path, tmp_path / "no-such-dir")
    out, err = load(path, seeds)
    assert err == ""
    assert "source: 0 created, 1 updated, 0 unchanged" in out
    assert Source.objects.get().text == ARTICLE
    assert Citation.objects.count() == Citation.objects.verified().count() == 9
    assert Agreement.objects.get(short_name="Consultation Pact").status == "published"
    assert Claim.objects.published().count() == 2
    assert_published_records_are_verified()
    # The published dataset then survives a load without the texts.
    before = row_counts()
    _, err = load(path, tmp_path / "no-such-dir")
    assert "Warning: no source directory" in err and "loaded as review" not in err
    assert row_counts() == before


# --- the curated data file -----------------------------------------------------------

needs_seeds = pytest.mark.skipif(
    not Path(settings.SEEDS_DIR).is_dir(), reason="the seed articles (settings.SEEDS_DIR) are not here"
)


@needs_seeds
def test_curated_file_loads_verified():
    out, err = load()
    counts = {model: model.objects.count() for model in MODELS}
    assert counts[Source] == 5
    assert 12 <= counts[Country] <= 30
    assert counts[Organisation] >= 10
    assert counts[Person] >= 11  # the actors the seeds name (authors and namesakes are not persons)
    assert counts[Agreement] >= 15
    assert counts[Membership] >= 15
    assert counts[Party] >= 20
    assert counts[Clause] >= 30
    assert counts[Claim] >= 100
    assert counts[Citation] >= 250
    assert Citation.objects.verified().count() == counts[Citation]
    assert_published_records_are_verified()
    assert f"claim: {counts[Claim]} created, 0 updated, 0 unchanged" in out
    assert err == ""
    spot_checks()


def spot_checks():
    shusha = Agreement.objects.get(short_name="Shusha Declaration")
    assert (shusha.signed_on, shusha.signed_on_precision) == (datetime.date(2021, 6, 15), "day")
    assert shusha.signed_at == "Shusha"
    assert (shusha.in_force_on, shusha.in_force_on_precision) == (datetime.date(2022, 2, 1), "month")
    signatories = set(shusha.parties.filter(action="signature").values_list("country__iso3", flat=True))
    assert signatories == {"AZE", "TUR"}
    assert shusha.parties.get(action="accession").country.iso3 == "UZB"
    assert Citation.objects.for_record(shusha).filter(field="signed_on").verified().exists()
    declaration = Agreement.objects.get(short_name="Declaration on Strategic Partnership")
    assert (declaration.signed_on, declaration.signed_on_precision) == (datetime.date(2022, 6, 1), "month")
    turkey = Country.objects.get(iso3="TUR")
    assert (turkey.iso2, turkey.cow_code, "Türkiye" in turkey.aliases) == ("TR", 640, True)
    assert Organisation.objects.get(acronym="OTS").memberships.filter(country__iso3="UZB").exists()
    # Contradiction holds both ways, whichever side the file names it on.
    new_alliance = Claim.objects.get(text__startswith="Signing the treaty on allied relations")
    [not_classic] = new_alliance.contradicts.all()
    assert new_alliance in not_classic.contradicts.all()
    trade = Claim.objects.get(text__startswith="Uzbek–Azerbaijani trade exceeded")
    assert (trade.quantity_value, trade.quantity_unit, trade.quantity_bound) == (181_000_000, "USD", "over")
    # The curators' reasons are the records' notes: why a membership is held for review, how a
    # relative date was resolved.
    hungary = Membership.objects.get(country__iso3="HUN", organisation__acronym="OTS")
    assert (hungary.status, hungary.role) == ("review", "observer")
    assert "observer state" in hungary.note
    treaty = Party.objects.get(
        agreement__short_name="Uzbekistan–Azerbaijan Treaty on Allied Relations", country__iso3="AZE",
        action="signature",
    )
    assert '"signed in Tashkent last year" -> "2024"' in treaty.note
    assert sum(model.objects.exclude(note="").count() for model in CURATED) >= 60


@needs_seeds
def test_curated_file_loads_twice_without_changes():
    load()
    before = row_counts()
    out, _ = load()
    assert row_counts() == before
    assert "created, 0 updated" in out and " 1 updated" not in out


@needs_seeds
def test_a_wrong_quote_in_a_copy_of_the_curated_file_fails(tmp_path):
    data = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    shusha = next(entry for entry in data["agreements"] if entry["key"] == "shusha-declaration")
    shusha["citations"][0]["quote"] = "signed on June 16, 2021"
    path = tmp_path / "curated.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        load(path)
    message = str(error.value)
    assert "agreements[shusha-declaration]" in message
    assert "Azerbaijan and Türkiye Celebrate Second Anniversary of Shusha Declaration" in message
    assert not Agreement.objects.exists()
