"""Tests for sources.anchoring (pure Python: no database, no Django settings)."""

from __future__ import annotations

import ast
import pickle
import re
import sys
from pathlib import Path
from urllib.parse import quote as percent_encode

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sources import anchoring
from sources.anchoring import (
    AmbiguousQuote,
    Anchor,
    AnchorError,
    InvalidSelector,
    QuoteNotFound,
    TextFragment,
    anchor_fragment,
    anchor_quote,
    normalize,
    parse_text_fragment,
    reanchor,
)

NBSP = "\u00a0"
LDQ, RDQ = "\u201c", "\u201d"
RSQ = "\u2019"
EN_DASH, EM_DASH = "\u2013", "\u2014"

TEXT = (
    f"The {LDQ}Eternal Friendship{RDQ} treaty was signed in Tashkent{RSQ}s\n"
    f"old city; the Uzbekistan{EN_DASH}Azerbaijan{NBSP}commission met  twice."
)


def span_of(text: str, passage: str) -> tuple[int, int]:
    start = text.index(passage)
    return start, start + len(passage)


# --- normalize ---------------------------------------------------------------


def test_normalize_folds_quotes_dashes_and_whitespace() -> None:
    assert normalize(f"  {LDQ}a{RDQ}\n\t{RSQ}b\u2018 c{EM_DASH}d{NBSP}{NBSP}e  ") == "\"a\" 'b' c-d e"


def test_normalize_keeps_case() -> None:
    assert normalize("Tashkent") != normalize("tashkent")


# --- anchor_quote: matching ----------------------------------------------------


def test_exact_match() -> None:
    anchor = anchor_quote(TEXT, "treaty was signed")
    assert (anchor.start, anchor.end) == span_of(TEXT, "treaty was signed")
    assert anchor.exact == "treaty was signed"
    assert anchor.match == "exact"


def test_whitespace_newline_and_nbsp_differences() -> None:
    anchor = anchor_quote(TEXT, f"Tashkent{RSQ}s old  city")
    assert anchor.exact == f"Tashkent{RSQ}s\nold city"
    assert anchor_quote(TEXT, "Azerbaijan commission met twice").exact == (
        f"Azerbaijan{NBSP}commission met  twice"
    )
    assert anchor_quote(TEXT, "commission\nmet\u2003twice").match == "normalized"


def test_leading_and_trailing_whitespace_of_quote_ignored() -> None:
    anchor = anchor_quote(TEXT, "\n  treaty was signed \t")
    assert anchor.exact == "treaty was signed"
    assert anchor.match == "normalized"  # "exact" means the quote was verbatim


def test_typographic_double_quotes() -> None:
    anchor = anchor_quote(TEXT, '"Eternal Friendship"')
    assert anchor.exact == f"{LDQ}Eternal Friendship{RDQ}"
    assert anchor.match == "normalized"


def test_typographic_apostrophe() -> None:
    anchor = anchor_quote(TEXT, "Tashkent's")
    assert anchor.exact == f"Tashkent{RSQ}s"
    assert (anchor.start, anchor.end) == span_of(TEXT, f"Tashkent{RSQ}s")


def test_straight_quote_in_text_matches_typographic_quote() -> None:
    assert anchor_quote("the \u00abtreaty\u00bb's end", f"{LDQ}treaty{RDQ}{RSQ}s").start == 4


def test_dashes() -> None:
    anchor = anchor_quote(TEXT, "Uzbekistan-Azerbaijan")
    assert anchor.exact == f"Uzbekistan{EN_DASH}Azerbaijan"
    assert anchor_quote("a\u2212b", f"a{EM_DASH}b").exact == "a\u2212b"


def test_case_sensitive() -> None:
    with pytest.raises(QuoteNotFound):
        anchor_quote(TEXT, "eternal friendship")


def test_offsets_index_original_text() -> None:
    text = f"  \n\n{NBSP}A  {LDQ}b{RDQ}\t\t c{EN_DASH}d  e\n"
    anchor = anchor_quote(text, '"b" c-d e')
    assert text[anchor.start : anchor.end] == anchor.exact == f"{LDQ}b{RDQ}\t\t c{EN_DASH}d  e"
    assert anchor.prefix == text[: anchor.start]
    assert anchor.suffix == "\n"


def test_context_is_32_characters() -> None:
    text = "x" * 50 + " NEEDLE " + "y" * 50
    anchor = anchor_quote(text, "NEEDLE")
    assert anchor.prefix == "x" * 31 + " "
    assert anchor.suffix == " " + "y" * 31
    assert len(anchor.prefix) == len(anchor.suffix) == anchoring.CONTEXT_CHARS


def test_context_shorter_at_text_edges() -> None:
    anchor = anchor_quote("NEEDLE in", "NEEDLE")
    assert (anchor.prefix, anchor.suffix) == ("", " in")


# --- anchor_quote: failures and disambiguation ------------------------------------


def test_not_found() -> None:
    with pytest.raises(QuoteNotFound, match=r'^quote not found: "Samarkand"$'):
        anchor_quote(TEXT, "Samarkand")


def test_not_found_message_is_short() -> None:
    with pytest.raises(QuoteNotFound) as caught:
        anchor_quote(TEXT, "word " * 100)
    assert len(str(caught.value)) < 90
    assert str(caught.value).endswith('\u2026"')


@pytest.mark.parametrize("blank", ["", "   ", f"\n{NBSP}\t"])
def test_empty_quote_refused(blank: str) -> None:
    with pytest.raises(InvalidSelector):
        anchor_quote(TEXT, blank)


def test_errors_are_value_errors() -> None:
    for error in (QuoteNotFound, AmbiguousQuote, InvalidSelector):
        assert issubclass(error, AnchorError)
    assert issubclass(AnchorError, ValueError)


REPEATED = "In 1994 the treaty was signed. In 1996 the treaty was  signed again."


def test_ambiguous_refused() -> None:
    with pytest.raises(AmbiguousQuote) as caught:
        anchor_quote(REPEATED, "the treaty was signed")
    assert caught.value.count == 2
    assert "2 times" in str(caught.value)
    assert "prefix or suffix" in str(caught.value)


def test_overlapping_occurrences_are_ambiguous() -> None:
    with pytest.raises(AmbiguousQuote) as caught:
        anchor_quote("aaa", "aa")
    assert caught.value.count == 2


def test_ambiguous_resolved_by_prefix() -> None:
    anchor = anchor_quote(REPEATED, "the treaty was signed", prefix="In 1996")
    assert anchor.start == REPEATED.index("the treaty", 20)
    assert anchor.exact == "the treaty was  signed"


def test_prefix_compared_normalised_and_across_junction_whitespace() -> None:
    text = f"said {LDQ}yes{RDQ} and said {LDQ}yes{RDQ}"
    assert anchor_quote(text, '"yes"', prefix="and  said ").start == text.rindex(LDQ)
    assert anchor_quote(text, '"yes"', prefix="and said").start == text.rindex(LDQ)


def test_ambiguous_resolved_by_suffix() -> None:
    anchor = anchor_quote(REPEATED, "the treaty was signed", suffix=" again")
    assert anchor.start == REPEATED.index("the treaty", 20)
    first = anchor_quote(REPEATED, "the treaty was signed", suffix=". In")
    assert first.start == REPEATED.index("the treaty")


def test_context_that_does_not_disambiguate() -> None:
    with pytest.raises(AmbiguousQuote) as caught:
        anchor_quote(REPEATED, "treaty was signed", prefix="the")
    assert caught.value.count == 2


def test_single_match_with_disagreeing_context_not_found() -> None:
    with pytest.raises(QuoteNotFound, match="not with the given prefix/suffix"):
        anchor_quote(TEXT, "treaty was signed", prefix="agreement")
    with pytest.raises(QuoteNotFound, match="not with the given prefix/suffix"):
        anchor_quote(TEXT, "treaty was signed", suffix="in Samarkand")


def test_prefix_must_end_right_before_the_match() -> None:
    with pytest.raises(QuoteNotFound):
        anchor_quote(TEXT, "treaty", prefix="The")


def test_stored_context_anchors_again() -> None:
    first = anchor_quote(REPEATED, "the treaty was signed", suffix=" again")
    again = anchor_quote(REPEATED, first.exact, prefix=first.prefix, suffix=first.suffix)
    assert again == Anchor(first.start, first.end, first.exact, first.prefix, first.suffix, "exact")


def test_the_selected_offset_picks_among_occurrences_the_context_cannot_tell_apart() -> None:
    paragraph = "Ministers agreed on mutual  military assistance against any aggression by a third state. "
    text = "The council met. " + paragraph * 3
    starts = [m.start() for m in re.finditer("mutual", text)]
    for start in starts:
        context = {"prefix": text[start - 32:start], "suffix": text[start + 27:start + 59]}
        found = anchor_quote(text, "mutual military assistance", at=start, **context)
        assert (found.start, found.end, found.match) == (start, start + 27, "normalized")
    with pytest.raises(AmbiguousQuote):
        anchor_quote(text, "mutual military assistance", prefix=text[starts[2] - 32:starts[2]])
    # An offset where no fitting occurrence starts chooses nothing.
    with pytest.raises(AmbiguousQuote):
        anchor_quote(text, "mutual military assistance", at=starts[1] + 1)


def test_ambiguous_quote_pickles_with_count() -> None:
    error = pickle.loads(pickle.dumps(AmbiguousQuote("occurs 3 times", 3)))
    assert (str(error), error.count) == ("occurs 3 times", 3)


def test_large_text() -> None:
    text = f"lorem  ipsum{NBSP}dolor\n sit {LDQ}amet{RDQ} {EN_DASH} " * 31_000 + "the UNIQUE passage."
    assert len(text) > 1_000_000
    anchor = anchor_quote(text, "the  UNIQUE\npassage")
    assert (anchor.start, anchor.end) == (len(text) - 19, len(text) - 1)


# --- text fragments ----------------------------------------------------------


def test_parse_start_only() -> None:
    assert parse_text_fragment("treaty%20was") == TextFragment("treaty was")


def test_parse_all_parts_and_directive_starts() -> None:
    expected = TextFragment("treaty", "signed", prefix="The", suffix="in")
    for lead in ("", "text=", ":~:text=", "#:~:text="):
        assert parse_text_fragment(f"{lead}The-,treaty,signed,-in") == expected


def test_parse_percent_encoded_comma_and_dash() -> None:
    fragment = parse_text_fragment("a%2C%20b,%2Dc%2D,-d%2C")
    assert fragment == TextFragment("a, b", "-c-", suffix="d,")


@pytest.mark.parametrize(
    "malformed",
    ["", "text=", ",", "a,", ",b", "a,b,c", "p-,a,b,c", "p-,a,b,-s,x", "p-", "-s", "p-,-s", "%20", "a,%20"],
)
def test_parse_malformed(malformed: str) -> None:
    with pytest.raises(InvalidSelector):
        parse_text_fragment(malformed)


def test_fragment_start_only() -> None:
    anchor = anchor_fragment(TEXT, "text=treaty%20was%20signed")
    assert anchor.exact == "treaty was signed"
    assert anchor.match == "exact"


def test_fragment_start_and_end() -> None:
    anchor = anchor_fragment(TEXT, "Eternal,Tashkent's")
    assert anchor.exact == f"Eternal Friendship{RDQ} treaty was signed in Tashkent{RSQ}s"
    assert (anchor.start, anchor.end) == span_of(TEXT, anchor.exact)
    assert anchor.match == "normalized"


def test_fragment_end_is_first_after_start() -> None:
    text = "one two end three end"
    assert anchor_fragment(text, "two,end").exact == "two end"


def test_fragment_end_searched_after_start_ends() -> None:
    assert anchor_fragment("abc xbc", "abc,bc").exact == "abc xbc"


def test_fragment_with_prefix_and_suffix() -> None:
    text = "the treaty was signed. A treaty was signed later."
    anchor = anchor_fragment(text, "A-,treaty,signed,-later")
    assert anchor.start == text.index("treaty", 10)
    assert anchor.exact == "treaty was signed"
    with pytest.raises(QuoteNotFound, match="prefix/suffix"):
        anchor_fragment(text, "B-,treaty,signed")


def test_fragment_percent_encoded_comma() -> None:
    text = "Tashkent, Baku, Astana"
    assert anchor_fragment(text, "text=Tashkent%2C%20Baku").exact == "Tashkent, Baku"


def test_fragment_object_accepted() -> None:
    assert anchor_fragment(TEXT, TextFragment("treaty", "signed")).exact == "treaty was signed"


def test_fragment_ambiguous() -> None:
    with pytest.raises(AmbiguousQuote) as caught:
        anchor_fragment(REPEATED, "the%20treaty,signed")
    assert caught.value.count == 2
    assert anchor_fragment(REPEATED, "1996-,the%20treaty,signed").exact == "the treaty was  signed"


def test_fragment_not_found() -> None:
    with pytest.raises(QuoteNotFound, match="start not found"):
        anchor_fragment(TEXT, "Samarkand")
    with pytest.raises(QuoteNotFound, match=r"end .* not found after its start"):
        anchor_fragment(TEXT, "commission,treaty")


def test_fragment_malformed() -> None:
    with pytest.raises(InvalidSelector):
        anchor_fragment(TEXT, "a,b,c")


# --- reanchor ----------------------------------------------------------------


def test_reanchor_after_edit_before_passage() -> None:
    old = anchor_quote(TEXT, "commission met twice")
    edited = "Preface added.\n\n" + TEXT.replace("Eternal", "Everlasting")
    new = reanchor(old, edited, "commission met twice")
    assert new.exact == "commission met  twice"
    assert (new.start, new.end) == span_of(edited, "commission met  twice")


def test_reanchor_uses_old_context_to_disambiguate() -> None:
    text = "Alpha says: yes. Beta says: yes. Gamma says: yes."
    old = anchor_quote(text, "says: yes", prefix="Beta")
    edited = "Intro. " + text.replace("Gamma", "Delta")
    assert reanchor(old, edited, "says: yes").start == edited.index("says", edited.index("Beta"))


def test_reanchor_tolerates_edited_context() -> None:
    text = "Alpha said yes; and Beta said yes; then Gamma said yes; end"
    old = anchor_quote(text, "said yes", prefix="Beta")
    edited = text.replace("and Beta", "and also Beta").replace("; then", ", then")
    assert reanchor(old, edited, "said yes").start == edited.index("said", edited.index("Beta"))


def test_reanchor_passage_at_text_start() -> None:
    old = anchor_quote("yes, then yes again", "yes", suffix=", then")
    new = reanchor(old, "yes, and yes again", "yes")
    assert new.start == 0


def test_reanchor_fails_like_anchor_quote() -> None:
    old = anchor_quote(TEXT, "treaty")
    with pytest.raises(QuoteNotFound):
        reanchor(old, "no such passage", "treaty")
    with pytest.raises(AmbiguousQuote):
        reanchor(old, "x treaty y; z treaty y", "treaty")
    with pytest.raises(InvalidSelector):
        reanchor(old, TEXT, " ")


# --- module hygiene ------------------------------------------------------------


def test_module_uses_standard_library_only() -> None:
    tree = ast.parse(Path(anchoring.__file__).read_text(encoding="utf-8"))
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert {name.split(".")[0] for name in modules} <= set(sys.stdlib_module_names) | {"__future__"}


# --- properties ---------------------------------------------------------------

DOUBLE_QUOTES = ['"', "\u201c", "\u201d", "\u201e", "\u201f", "\u2033", "\u00ab", "\u00bb"]
SINGLE_QUOTES = ["'", "\u2018", "\u2019", "\u201a", "\u201b", "\u2032", "`", "\u00b4"]
DASHES = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"]
WHITESPACE = [" ", "\n", "\t", NBSP, "\u2003", "\r\n"]
VARIANTS = {c: family for family in (DOUBLE_QUOTES, SINGLE_QUOTES, DASHES) for c in family}

SPECIALS = "".join(DOUBLE_QUOTES[:3] + SINGLE_QUOTES[:3] + DASHES[:3]) + " \n" + NBSP
# Many letters make unique passages likely; few make repeats likely.
rich_texts = st.text(alphabet="abcdefghijklmnopqrstuvwxyzAB" + SPECIALS, max_size=80)
poor_texts = st.text(alphabet="ab" + SPECIALS, max_size=12)
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


def reference_normalize(s: str) -> str:
    """An independent, deliberately naive statement of the matching rules."""
    chars = [
        '"' if c in DOUBLE_QUOTES else "'" if c in SINGLE_QUOTES else "-" if c in DASHES else c for c in s
    ]
    return " ".join("".join(chars).split())


def reference_count(text: str, passage: str) -> int:
    haystack, needle = reference_normalize(text), reference_normalize(passage)
    return sum(haystack.startswith(needle, k) for k in range(len(haystack)))


def retype(draw: st.DrawFn, passage: str) -> str:
    """Spell `passage` differently in every way matching must ignore."""
    out = []
    for run in re.findall(r"\s+|\S", passage):
        if run.isspace():
            out.append("".join(draw(st.lists(st.sampled_from(WHITESPACE), min_size=1, max_size=3))))
        elif run in VARIANTS:
            out.append(draw(st.sampled_from(VARIANTS[run])))
        else:
            out.append(run)
    padding = st.sampled_from(["", " ", "\n", NBSP + " "])
    return draw(padding) + "".join(out) + draw(padding)


def trimmed_span(text: str, i: int, j: int) -> tuple[int, int]:
    i, j = min(i, j), max(i, j)
    while i < j and text[i].isspace():
        i += 1
    while j > i and text[j - 1].isspace():
        j -= 1
    return i, j


@st.composite
def unique_passages(draw: st.DrawFn) -> tuple[str, int, int, str]:
    text = draw(rich_texts)
    i, j = trimmed_span(text, draw(st.integers(0, len(text))), draw(st.integers(0, len(text))))
    assume(i < j and reference_count(text, text[i:j]) == 1)
    return text, i, j, retype(draw, text[i:j])


@PROPERTY_SETTINGS
@given(unique_passages())
def test_property_retyped_unique_passage_anchors_to_its_span(case: tuple[str, int, int, str]) -> None:
    text, i, j, typed = case
    anchor = anchor_quote(text, typed)
    assert (anchor.start, anchor.end, anchor.exact) == (i, j, text[i:j])
    assert anchor.prefix == text[max(0, i - 32) : i]
    assert anchor.suffix == text[j : j + 32]
    assert anchor.match == ("exact" if typed == text[i:j] else "normalized")


@PROPERTY_SETTINGS
@given(unique_passages())
def test_property_retyped_unique_passage_anchors_as_text_fragment(case: tuple[str, int, int, str]) -> None:
    text, i, j, typed = case
    encoded = percent_encode(typed, safe="").replace("-", "%2D")
    anchor = anchor_fragment(text, ":~:text=" + encoded)
    assert (anchor.start, anchor.end) == (i, j)


@PROPERTY_SETTINGS
@given(unique_passages())
def test_property_stored_context_anchors_again(case: tuple[str, int, int, str]) -> None:
    text, _, _, typed = case
    first = anchor_quote(text, typed)
    again = anchor_quote(text, typed, prefix=first.prefix, suffix=first.suffix)
    assert again == first
    assert reanchor(first, text, typed) == first


@st.composite
def repeated_passages(draw: st.DrawFn) -> tuple[str, int, int, str]:
    passage = draw(poor_texts).strip()
    assume(passage)
    before, between, after = draw(poor_texts), draw(poor_texts), draw(poor_texts)
    copy = retype(draw, passage).strip()
    if draw(st.booleans()):  # the retyped copy comes first or second
        text = before + passage + between + copy + after
        i = len(before)
    else:
        text = before + copy + between + passage + after
        i = len(before) + len(copy) + len(between)
    return text, i, i + len(passage), retype(draw, passage)


@PROPERTY_SETTINGS
@given(repeated_passages())
def test_property_repeated_passage_needs_a_prefix(case: tuple[str, int, int, str]) -> None:
    text, i, j, typed = case
    count = reference_count(text, typed)
    assert count >= 2
    with pytest.raises(AmbiguousQuote) as caught:
        anchor_quote(text, typed)
    assert caught.value.count == count

    prefix = text[max(0, i - 32) : i]
    agreeing = reference_contexts_agreeing(text, typed, prefix)
    if agreeing == 1:
        anchor = anchor_quote(text, typed, prefix=prefix)
        assert (anchor.start, anchor.end, anchor.exact) == (i, j, text[i:j])
    else:
        with pytest.raises(AmbiguousQuote) as caught:
            anchor_quote(text, typed, prefix=prefix)
        assert caught.value.count == agreeing


def reference_contexts_agreeing(text: str, passage: str, prefix: str) -> int:
    """How many occurrences the prefix (whitespace-insensitive) ends right before."""
    haystack, needle, context = (reference_normalize(s) for s in (text, passage, prefix))
    agreeing = 0
    for k in range(len(haystack)):
        if haystack.startswith(needle, k) and haystack[:k].rstrip(" ").endswith(context):
            agreeing += 1
    return agreeing


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="ab,-% " + SPECIALS, max_size=20))
def test_property_normalize_is_idempotent_and_trimmed(s: str) -> None:
    once = normalize(s)
    assert normalize(once) == once == reference_normalize(s)
    assert "  " not in once
