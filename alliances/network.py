"""The alliance network on a day, drawn as SVG: countries on a circle, one line per agreement
binding two of them, coloured by the agreement's strongest provision type.

Bound is the Party rule (alliances.domain.binding), applied to the actions the picture's
reader may see. The picture is built from the data on every
request, server-side, with no script and nothing from elsewhere; every text is escaped
(format_html). Links inside the picture (a country, an agreement's line) come from a `Links`
object, so the admin's page links to admin pages and the API's image to API resources.
"""

import datetime
import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .models import Agreement, Clause, Country, Party, ProvisionType

# Strongest first: an agreement is drawn in the colour of the first of its clauses' types here
# (ATOP's core obligations, then the other types in taxonomy order).
STRENGTH = ["defense", "offense", "neutrality", "nonaggression", "consultation"]
COLOURS = {
    "defense": "#c62828", "offense": "#6a1b9a", "neutrality": "#1565c0", "nonaggression": "#00838f",
    "consultation": "#2e7d32", "military_aid": "#ef6c00", "defense_industry": "#8d6e63",
    "joint_exercises": "#d81b60", "intelligence_sharing": "#5e35b1", "bases": "#3949ab",
    "integrated_command": "#b71c1c", "arms_supply": "#f4511e", "economic": "#f9a825",
    "transport": "#00897b", "humanitarian_cultural": "#7cb342", "mobility": "#039be5",
}
OTHER_COLOUR = "#607d8b"
NO_CLAUSE = "no clause recorded"
NO_CLAUSE_COLOUR = "#9e9e9e"

SIZE = 760
RADIUS = 260
NODE_RADIUS = 19
# Between the parallel lines of two countries' several agreements. Each line's transparent hit
# area is exactly this wide, so the areas of neighbouring lines meet without overlapping: a click on
# a line (or within half the spacing of it) opens that line's agreement, not the one drawn after it.
LINE_SPACING = 8


@dataclass(frozen=True)
class Node:
    pk: int
    iso3: str
    name: str


@dataclass
class Edge:
    """One agreement binding two countries on the day."""

    a: Node
    b: Node
    agreement_id: int
    agreement: str
    provision: str  # slug of the strongest provision type, or "" without clauses
    provision_name: str


@dataclass
class Network:
    day: datetime.date
    nodes: list[Node]
    edges: list[Edge]
    provisions: dict[str, str] = field(default_factory=dict)  # slug -> name, for the legend

    def agreements_of(self, node: Node) -> int:
        return self.agreement_counts[node]

    @cached_property
    def agreement_counts(self) -> Counter:
        """Agreements binding each node, counted once for all nodes (not an edge scan per node)."""
        return Counter(node for node, _ in {(n, e.agreement_id) for e in self.edges for n in (e.a, e.b)})


def network_on(day: datetime.date, published_only: bool = True) -> Network:
    """Who is bound to whom on `day`. published_only: only published agreements, party actions,
    clauses and countries count (the public picture); otherwise every record (the editors')."""
    parties, clauses = Party.objects.all(), Clause.objects.all()
    if published_only:  # alliances.domain.visibility: with their published agreement and country
        parties, clauses = parties.published(), clauses.published()
    # Bound by the visible actions only: a draft withdrawal does not end a public spell.
    bound = parties.bound_on(day)
    members: dict[int, set[int]] = defaultdict(set)
    for agreement_id, country_id in bound.values_list("agreement_id", "country_id").distinct():
        members[agreement_id].add(country_id)
    members = {pk: countries for pk, countries in members.items() if len(countries) > 1}

    nodes = {
        country.pk: Node(country.pk, country.iso3, country.name)
        for country in Country.objects.filter(pk__in={pk for ids in members.values() for pk in ids})
    }
    named = Agreement.objects.filter(pk__in=list(members)).values_list("pk", "short_name", "title")
    titles = {pk: short or title for pk, short, title in named}
    types = {slug: (rank, name) for rank, (slug, name) in enumerate(
        ProvisionType.objects.order_by("id").values_list("slug", "name")
    )}
    strongest = {}
    for agreement_id, slug in clauses.filter(agreement_id__in=list(members)).values_list(
        "agreement_id", "provision_types__slug"
    ):
        if slug is None:
            continue  # a clause without provision types
        if agreement_id not in strongest or strength(slug, types) < strength(strongest[agreement_id], types):
            strongest[agreement_id] = slug

    edges = []
    for agreement_id in sorted(members, key=lambda pk: (titles[pk], pk)):
        countries = sorted((nodes[pk] for pk in members[agreement_id]), key=lambda node: node.name)
        slug = strongest.get(agreement_id, "")
        name = types[slug][1] if slug else NO_CLAUSE
        edges += [
            Edge(a, b, agreement_id, titles[agreement_id], slug, name) for a, b in combinations(countries, 2)
        ]
    legend = {edge.provision: edge.provision_name for edge in edges}
    return Network(
        day=day,
        nodes=sorted(nodes.values(), key=lambda node: (node.name, node.pk)),
        edges=edges,
        provisions=dict(sorted(legend.items(), key=lambda item: strength(item[0], types))),
    )


def strength(slug: str, types: dict) -> tuple[int, int]:
    if not slug:
        return (2, 0)
    if slug in STRENGTH:
        return (0, STRENGTH.index(slug))
    return (1, types.get(slug, (len(types), ""))[0])


def colour(slug: str) -> str:
    if not slug:
        return NO_CLAUSE_COLOUR
    return COLOURS.get(slug, OTHER_COLOUR)


# --- drawing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Links:
    country: Callable[[Node], str]
    agreement: Callable[[int], str]


def circle_layout(nodes: list[Node]) -> dict[Node, tuple[float, float]]:
    """Nodes evenly on a circle, the first at the top, clockwise."""
    centre = SIZE / 2
    if len(nodes) == 1:
        return {nodes[0]: (centre, centre)}
    return {
        node: (
            round(centre + RADIUS * math.cos(2 * math.pi * i / len(nodes) - math.pi / 2), 1),
            round(centre + RADIUS * math.sin(2 * math.pi * i / len(nodes) - math.pi / 2), 1),
        )
        for i, node in enumerate(nodes)
    }


def _edge_lines(network: Network, places: dict) -> list[tuple[Edge, float, float, float, float]]:
    """Each edge's segment; the several agreements of one pair as parallel lines."""
    by_pair: dict[tuple[int, int], list[Edge]] = defaultdict(list)
    for edge in network.edges:
        by_pair[(edge.a.pk, edge.b.pk)].append(edge)
    lines = []
    for edges in by_pair.values():
        (x1, y1), (x2, y2) = places[edges[0].a], places[edges[0].b]
        length = math.hypot(x2 - x1, y2 - y1) or 1
        nx, ny = (y1 - y2) / length, (x2 - x1) / length  # unit normal
        for i, edge in enumerate(edges):
            shift = (i - (len(edges) - 1) / 2) * LINE_SPACING
            lines.append((edge, *(round(value, 1) for value in (
                x1 + nx * shift, y1 + ny * shift, x2 + nx * shift, y2 + ny * shift,
            ))))
    return lines


def _label_position(x: float, y: float) -> tuple[float, float, str]:
    centre = SIZE / 2
    dx, dy = x - centre, y - centre
    distance = math.hypot(dx, dy)
    if distance < 1:
        return x, y + NODE_RADIUS + 16, "middle"
    lx, ly = x + dx / distance * (NODE_RADIUS + 10), y + dy / distance * (NODE_RADIUS + 10)
    anchor = "start" if dx > 5 else "end" if dx < -5 else "middle"
    return round(lx, 1), round(ly + (12 if dy > 0 else -2 if abs(dx) <= 5 else 4), 1), anchor


def render_svg(network: Network, links: Links) -> SafeString:
    places = circle_layout(network.nodes)
    day = network.day.isoformat()
    title = f"Alliance network on {day}"
    summary = (f"{len(network.nodes)} countries bound to each other by "
               f"{len({edge.agreement_id for edge in network.edges})} agreements on {day}.")
    lines = format_html_join("\n", (
        '<a href="{}" class="edge" data-agreement="{}" data-countries="{} {}">'
        '<title>{} – {}: {} ({})</title>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="transparent" stroke-width="{}"/>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5" stroke-linecap="round"/></a>'
    ), (
        (links.agreement(edge.agreement_id), edge.agreement_id, edge.a.iso3, edge.b.iso3,
         edge.a.name, edge.b.name, edge.agreement, edge.provision_name,
         x1, y1, x2, y2, LINE_SPACING, x1, y1, x2, y2, colour(edge.provision))
        for edge, x1, y1, x2, y2 in _edge_lines(network, places)
    ))
    nodes = format_html_join("\n", (
        '<a href="{}" class="node" data-iso3="{}"><title>{}: {} agreement(s)</title>'
        '<circle cx="{}" cy="{}" r="{}" fill="#fff" stroke="#263238" stroke-width="2"/>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="11" font-weight="bold">{}</text>'
        '<text x="{}" y="{}" text-anchor="{}" font-size="13">{}</text></a>'
    ), (
        (links.country(node), node.iso3, node.name, network.agreements_of(node),
         x, y, NODE_RADIUS, x, y + 4, node.iso3, *_label_position(x, y), node.name)
        for node, (x, y) in places.items()
    ))
    legend = format_html_join("\n", (
        '<g transform="translate(12 {})"><line x1="0" y1="0" x2="26" y2="0" stroke="{}" stroke-width="4"/>'
        '<text x="32" y="4" font-size="12">{}</text></g>'
    ), ((24 + 18 * i, colour(slug), name) for i, (slug, name) in enumerate(network.provisions.items())))
    empty = "" if network.nodes else format_html(
        '<text x="{}" y="{}" text-anchor="middle" font-size="16">'
        "No agreement binds two countries on {}.</text>",
        SIZE / 2, SIZE / 2, day,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
        'role="img" aria-labelledby="network-title network-desc" font-family="sans-serif" '
        'class="alliance-network" data-as-of="{day}">'
        '<title id="network-title">{title}</title><desc id="network-desc">{summary}</desc>\n'
        '<rect width="100%" height="100%" fill="#fff"/>\n'
        '<g class="edges">{lines}</g>\n<g class="nodes">{nodes}</g>\n'
        '<g class="legend"><text x="12" y="12" font-size="12" font-weight="bold">{day}</text>{legend}</g>'
        "{empty}</svg>",
        size=SIZE, day=day, title=title, summary=summary, lines=lines, nodes=nodes, legend=legend,
        empty=empty,
    )
