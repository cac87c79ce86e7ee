"""Citing from the Source page in a real browser (Playwright driving Debian's Chromium): a source
pasted in the admin (the browser submits its line breaks as CRLF), the second occurrence of a
repeated phrase selected with the mouse and cited at exactly its offsets in the stored text, and a
selection that starts inside a highlighted passage. Screenshots go to artifacts/browser-cite/.
"""

import os
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from django.conf import settings
from playwright.sync_api import expect

from sources.models import Citation, Source
from tests.conftest import make_agreement, make_user
from tests.test_browser import CHROMIUM, log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see tests/test_browser.py

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "browser-cite"

pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing: apt-get install chromium"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHRASE = "mutual military assistance"
# Invented text: paragraphs (line breaks the browser sends as CRLF), a flag emoji (two code
# points, four UTF-16 units) before the passages, and the phrase three times.
PARAGRAPHS = [
    "Caspian Courier 🇦🇿 Baku, 3 April 2024",
    "The two foreign ministers discussed mutual military assistance at length.",
    "Under the new text, mutual military assistance would follow within days of an attack.\n"
    "Officials called it a turning point.",
    "Critics said mutual military assistance had been promised before.",
]
PASTED = "\n\n".join(PARAGRAPHS)


@pytest.fixture
def shots():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    count = iter(range(1, 100))

    def shot(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{next(count):02d}-{name}.png"), full_page=True)

    return shot


def drag_over(page, text: str, occurrence: int = 1) -> None:
    """Drag the mouse from the first to the last character of the `occurrence`-th `text` in the
    Source page's text block, wherever its highlights split it into elements."""
    box = page.evaluate(
        """([text, occurrence]) => {
            const root = document.querySelector(".source-text");
            const nodes = [];
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
            const whole = nodes.map((node) => node.data).join("");
            let at = -1;
            for (let i = 0; i < occurrence; i++) {
                at = whole.indexOf(text, at + 1);
                if (at < 0) return null;
            }
            function point(index) {  // the text node and offset of the whole text's `index`
                for (const node of nodes) {
                    if (index < node.data.length) return [node, index];
                    index -= node.data.length;
                }
            }
            function box(index) {
                const [node, offset] = point(index);
                const range = document.createRange();
                range.setStart(node, offset);
                range.setEnd(node, offset + 1);
                return range.getBoundingClientRect();
            }
            point(at)[0].parentElement.scrollIntoView({block: "center"});
            const first = box(at), last = box(at + text.length - 1);
            return {x1: first.left + 1, y1: first.top + first.height / 2,
                    x2: last.right - 1, y2: last.top + last.height / 2};
        }""",
        [text, occurrence],
    )
    assert box, f"{text!r} does not occur {occurrence} times in the page's text"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()


def nth(text: str, phrase: str, occurrence: int) -> int:
    at = -1
    for _ in range(occurrence):
        at = text.index(phrase, at + 1)
    return at


def choose_record(page, agreement) -> None:
    page.fill("#cite-record-search", f"#{agreement.pk}")
    page.click(f".cite-result:has-text('agreement #{agreement.pk}:')")


def test_a_pasted_source_cites_the_selected_occurrence_and_selections_start_inside_highlights(
    page, live_server, shots
):
    base = live_server.url
    make_user("editor", "editors")
    agreement = make_agreement(title="Caspian Security Pact")
    page.set_default_timeout(15_000)
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(error))
    posted = []
    page.on("request", lambda request: request.method == "POST" and posted.append(request.post_data or ""))
    log_in(page, base, "editor")

    # The source is pasted in the add form: the browser sends its line breaks as CRLF.
    page.goto(f"{base}/admin/sources/source/add/")
    page.fill("#id_title", "Caspian Courier: ministers on assistance")
    page.fill("#id_text", PASTED)
    shots(page, "source-add")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert "\r\n" in unquote_plus(posted[-1])
    source = Source.objects.get()
    assert source.text == PASTED  # LF only, the SHA-256 taken of that
    text = source.text
    # The page's text is the stored text, code point for code point (offsets count in it).
    assert page.evaluate("document.querySelector('.source-text').textContent") == text

    # The second occurrence of the phrase, selected with the mouse, is cited at its offsets.
    drag_over(page, PHRASE, occurrence=2)
    expect(page.locator("#cite-quote")).to_have_value(PHRASE)
    start = nth(text, PHRASE, 2)
    expect(page.locator("#cite-offsets")).to_have_text(
        f"Characters {start}–{start + len(PHRASE)} of the stored text."
    )
    choose_record(page, agreement)
    shots(page, "second-occurrence-selected")
    page.click("#cite-save")
    page.wait_for_selector("#cite-message.success")
    citation = Citation.objects.get()
    assert (citation.start, citation.end, citation.match) == (start, start + len(PHRASE), "exact")
    assert text[citation.start:citation.end] == PHRASE
    assert page.locator(".source-text mark.cited").inner_text() == PHRASE
    shots(page, "second-occurrence-cited")

    # A selection starting inside that highlight selects text (no link drag) and is cited.
    passage = "military assistance would follow within days"
    drag_over(page, passage)
    expect(page.locator("#cite-quote")).to_have_value(passage)
    assert page.url.endswith(f"/admin/sources/source/{source.pk}/change/")
    choose_record(page, agreement)
    shots(page, "selection-from-inside-highlight")
    page.click("#cite-save")
    page.wait_for_selector("#cite-message.success")
    inner = Citation.objects.latest("pk")
    assert (inner.start, inner.end) == (text.index(passage), text.index(passage) + len(passage))
    shots(page, "selection-from-inside-highlight-cited")

    # One wholly inside a highlight selects too, and does not open the record on release.
    drag_over(page, "would follow")
    expect(page.locator("#cite-quote")).to_have_value("would follow")
    start = text.index("would follow")
    expect(page.locator("#cite-offsets")).to_have_text(f"Characters {start}–{start + 12} of the stored text.")
    assert page.url.endswith(f"/admin/sources/source/{source.pk}/change/")

    # A click on a highlight still opens the cited record.
    page.locator(".source-text mark.cited a", has_text="within days").click()
    page.wait_for_url(f"{base}/admin/alliances/agreement/{agreement.pk}/change/")
    assert script_errors == []
