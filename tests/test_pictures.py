"""The pictures on the curated register: every line of the network opens its own agreement, and a
country's timeline lists the country's own actions once each."""

import math
import xml.etree.ElementTree as ET
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.urls import reverse

from alliances.admin.pictures import country_events
from alliances.models import Agreement, Country, Party

SVG = "{http://www.w3.org/2000/svg}"
DAY = "2025-12-31"


@pytest.fixture
def curated(db):
    call_command("load_curated", verbosity=0)


def edge_lines(root) -> list[dict]:
    """Each line of the picture, in drawing order: its link, countries, hit area and visible line."""
    lines = []
    for edge in root.iter(f"{SVG}a"):
        if edge.get("class") != "edge":
            continue
        hit, visible = edge.findall(f"{SVG}line")
        lines.append({
            "href": edge.get("href"), "agreement": int(edge.get("data-agreement")),
            "countries": edge.get("data-countries"), "width": float(hit.get("stroke-width")),
            "hit": tuple(float(hit.get(name)) for name in ("x1", "y1", "x2", "y2")),
            "visible": tuple(float(visible.get(name)) for name in ("x1", "y1", "x2", "y2")),
        })
    return lines


def distance(point, segment) -> float:
    (px, py), (x1, y1, x2, y2) = point, segment
    length = (x2 - x1) ** 2 + (y2 - y1) ** 2
    t = max(0.0, min(1.0, ((px - x1) * (x2 - x1) + (py - y1) * (y2 - y1)) / length))
    return math.hypot(px - (x1 + t * (x2 - x1)), py - (y1 + t * (y2 - y1)))


def clicked(lines, point) -> dict | None:
    """The line a click at `point` opens: the last drawn whose hit area holds it, as in SVG."""
    hits = [line for line in lines if distance(point, line["hit"]) < line["width"] / 2]
    return hits[-1] if hits else None


def midpoint(line) -> tuple[float, float]:
    x1, y1, x2, y2 = line["visible"]
    return (x1 + x2) / 2, (y1 + y2) / 2


def assert_parallel_lines_open_their_own_agreement(lines):
    bundles = defaultdict(list)
    for line in lines:
        bundles[line["countries"]].append(line)
    for bundle in bundles.values():
        assert len({line["agreement"] for line in bundle}) == len(bundle)  # one line per agreement
        for line in bundle:
            assert line["hit"] == line["visible"]  # the hit area is centred on the line one sees
            opened = clicked(bundle, midpoint(line))
            assert opened is line, (line["countries"], line["agreement"], opened and opened["agreement"])


def test_the_four_azerbaijan_uzbekistan_lines_each_open_their_own_agreement(client, curated, editor):
    client.force_login(editor)
    response = client.get(reverse("alliances_admin:network"), {"as_of": DAY})
    assert response.context["svg"] in response.content.decode()
    lines = edge_lines(ET.fromstring(response.context["svg"]))
    aze_uzb = [line for line in lines if line["countries"] == "AZE UZB"]
    expected = set(
        Agreement.objects.filter(parties__country__iso3="AZE").filter(parties__country__iso3="UZB")
        .values_list("pk", flat=True)
    )
    assert len(aze_uzb) == 4 and {line["agreement"] for line in aze_uzb} == expected
    for line in aze_uzb:
        assert line["href"] == reverse("admin:alliances_agreement_change", args=[line["agreement"]])
        assert clicked(lines, midpoint(line)) is line
    assert_parallel_lines_open_their_own_agreement(lines)


def test_the_public_image_draws_the_same_lines(client, curated):
    response = client.get(reverse("api:network-svg"), {"as_of": DAY})
    lines = edge_lines(ET.fromstring(response.content))
    assert_parallel_lines_open_their_own_agreement(lines)
    aze_uzb = [line for line in lines if line["countries"] == "AZE UZB"]
    assert len(aze_uzb) == 4
    for line in aze_uzb:
        assert line["href"] == f"http://testserver/api/v1/agreements/{line['agreement']}/"


def timeline(iso3: str) -> list[tuple[str, str, str]]:
    return [(event.when, event.what, event.note) for event in country_events(Country.objects.get(iso3=iso3))]


def test_uzbekistan_lists_its_own_actions_once_and_not_the_agreements_signature(curated):
    events = timeline("UZB")
    parties = Party.objects.filter(country__iso3="UZB")
    actions = [what for _, what, _ in events if not what.startswith(("joins", "leaves"))]
    assert len(actions) == len(set(actions)) == parties.count()
    assert not [what for _, what, _ in events if what.endswith((" signed", " in force", " ends"))]
    shusha = [event for event in events if "Shusha" in event[1]]
    assert shusha == [
        ("2025-05", "Accession: Shusha Declaration", "agreement signed 2021-06-15, in force 2022-02"),
    ]


def test_azerbaijan_lists_its_signature_of_the_shusha_declaration_once(curated):
    shusha = [event[:2] for event in timeline("AZE") if "Shusha" in event[1]]
    assert shusha == [
        ("2021-06-15", "Signature: Shusha Declaration"),
        ("2022-02", "Entry into force: Shusha Declaration"),
        ("2022-02", "Ratification: Shusha Declaration"),
    ]


def test_the_timeline_page_shows_the_agreements_dates_as_the_agreements(client, curated, editor):
    client.force_login(editor)
    uzbekistan = Country.objects.get(iso3="UZB")
    page = client.get(reverse("admin:alliances_country_timeline", args=[uzbekistan.pk])).content.decode()
    assert "Shusha Declaration signed" not in page
    assert page.count("Accession: Shusha Declaration") == 1
    assert '<span class="note">(agreement signed 2021-06-15, in force 2022-02)</span>' in page
