"""Synthetic news-like source texts whose sentences can be quoted and anchored.

Every sentence of a text carries a number that no other sentence of the same text has, so a
run of whole sentences occurs exactly once in its text (also once normalised, since folding
quotes, dashes and whitespace cannot make two different numbers equal). A quote is such a run,
and its anchor is known from where the text was assembled: the same start, end, prefix and
suffix that ``sources.anchoring.anchor_quote`` finds, which the tests check for every citation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sources.anchoring import CONTEXT_CHARS, Anchor

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)

CITIES = (
    "Baku", "Tashkent", "Astana", "Ankara", "Bishkek", "Dushanbe", "Ashgabat", "Budapest",
    "Brussels", "Geneva", "Vienna", "Nairobi", "Lima", "Hanoi", "Oslo", "Dakar", "Canberra",
    "Ottawa", "Manila", "Rabat",
)

# {n} is the sentence's own number; the other fields are drawn freely.
TEMPLATES = (
    "The foreign ministers of {a} and {b} met in {city} on {day} {month} {year} and signed "
    "{n} documents on cooperation.",
    "According to the ministry, trade between {a} and {b} reached ${n} million in {year}.",
    "{person} said the two countries would hold {n} joint exercises before the end of {year}.",
    "Under the agreement, {a} will open its border to citizens of {b} carrying national ID "
    "cards, a step officials called “historic” in statement no. {n}.",
    "The parties pledge “mutual assistance” if either is attacked by a third state, article "
    "{n} of the draft reads.",
    "{person}, speaking in {city}, described the {a}–{b} partnership as strategic and "
    "announced {n} new projects.",
    "Analysts in {city} counted {n} military advisers sent by {a} to {b} since {year}.",
    "The {org} summit adopted {n} decisions, including a plan for a transport corridor "
    "through {a}.",
    "{a} and {b} agreed to exchange intelligence on border security, accord no. {n} "
    "since {year}.",
    "Officials said {n} tonnes of humanitarian aid from {a} had reached {b} by {month} {year}.",
    "A joint defence-industry venture between {a} and {b} will build {n} armoured vehicles "
    "a year, the companies said.",
    "The memorandum, signed in {city} in {month} {year}, foresees {n} student exchanges "
    "between {a} and {b}.",
    "{person} told reporters that {a} had ratified the treaty with {n} votes in favour.",
    "Observers from the {org} noted that {b} withdrew {n} troops from the border region "
    "in {year}.",
    "The ministers of defence of {a} and {b} agreed on {n} measures to coordinate their "
    "air defence.",
)


@dataclass(frozen=True)
class Names:
    """What the sentences talk about."""

    countries: tuple[str, ...]
    persons: tuple[str, ...]
    organisations: tuple[str, ...]


@dataclass(frozen=True)
class SourceText:
    text: str
    spans: tuple[tuple[int, int], ...]  # each sentence's (start, end) in text

    def quote(self, first: int, last: int) -> Anchor:
        """The anchor of sentences first..last (inclusive), as anchor_quote computes it."""
        start, end = self.spans[first][0], self.spans[last][1]
        return Anchor(
            start=start,
            end=end,
            exact=self.text[start:end],
            prefix=self.text[max(0, start - CONTEXT_CHARS) : start],
            suffix=self.text[end : end + CONTEXT_CHARS],
            match="exact",
        )


def pick(rng: random.Random, items: tuple):
    # rng.choice draws bits until it fits; one float is enough here and a third the cost,
    # which matters for the million sentences of a large data set.
    return items[int(rng.random() * len(items))]


def sentence(rng: random.Random, names: Names, number: int) -> str:
    a, b = pick(rng, names.countries), pick(rng, names.countries)
    return pick(rng, TEMPLATES).format(
        n=number, a=a, b=b if b != a else "its neighbours", city=pick(rng, CITIES),
        day=1 + int(rng.random() * 28), month=pick(rng, MONTHS), year=1992 + int(rng.random() * 34),
        person=pick(rng, names.persons), org=pick(rng, names.organisations),
    )


def source_text(rng: random.Random, names: Names, dateline: str, sentences: int) -> SourceText:
    """A dateline and `sentences` sentences in paragraphs of two to five."""
    numbers = rng.sample(range(2, 100_000), sentences)
    parts = [dateline, "\n\n"]
    length = len(dateline) + 2
    spans = []
    in_paragraph = 0
    for i, number in enumerate(numbers):
        if i and in_paragraph >= rng.randint(2, 5):
            parts.append("\n\n")
            length += 2
            in_paragraph = 0
        elif i:
            parts.append(" ")
            length += 1
        s = sentence(rng, names, number)
        parts.append(s)
        spans.append((length, length + len(s)))
        length += len(s)
        in_paragraph += 1
    return SourceText("".join(parts), tuple(spans))
