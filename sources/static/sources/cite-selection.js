/* Cite a passage by selecting it on the Source page.
 *
 * The editor selects text in the stored-text block (.source-text), picks the record it supports
 * and an optional field; the passage is sent as its quote and its offsets in the stored text
 * (code points, end exclusive, as the server counts them). The server anchors it like any other
 * citation and answers with the re-highlighted text block, or with the reason it refused.
 * Plain JavaScript, no dependency; the page's CSRF token goes with every POST.
 */
(function () {
  "use strict";

  function codePoints(text) {
    let count = 0;
    for (const _ of text) count += 1; // iterates code points, not UTF-16 units
    return count;
  }

  // Offset, in code points of the root's text, of a boundary point (node, offset) inside it.
  function offsetIn(root, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(root);
    range.setEnd(node, offset);
    return codePoints(range.toString());
  }

  // White space as the server's anchoring counts it (Python's str.isspace), not JavaScript's
  // trim(), which keeps U+001C-U+001F and U+0085 and drops U+FEFF.
  const LEADING_SPACE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
  const TRAILING_SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/;

  // The selected passage within `root`, trimmed of surrounding white space, or null. The root's
  // text is the stored text (the server renders it escaped, in <mark>s and <a>s, nothing added),
  // so offsets counted in its text nodes, in code points, are the stored text's.
  function selectedPassage(root) {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) return null;
    const raw = range.toString(); // the text nodes' data, not the rendered (innerText-like) text
    const leading = raw.match(LEADING_SPACE);
    const quote = raw.replace(LEADING_SPACE, "").replace(TRAILING_SPACE, "");
    if (!quote) return null;
    const start = offsetIn(root, range.startContainer, range.startOffset) + (leading ? codePoints(leading[0]) : 0);
    return { quote: quote, start: start, end: start + codePoints(quote) };
  }

  // A press on a highlight may begin a selection (cite-selection.css lets it): when the mouse moved
  // before the release and text is selected, its click must not open the record. A click (no
  // move) still does, even on selected text, which the browser unselects only after the click.
  function selectableHighlights() {
    let pressedAt = null;
    document.addEventListener("mousedown", (event) => {
      pressedAt = [event.clientX, event.clientY];
    }, true);
    document.addEventListener("click", (event) => {
      const link = event.target.closest && event.target.closest(".source-text a[href]");
      const moved = pressedAt && (pressedAt[0] !== event.clientX || pressedAt[1] !== event.clientY);
      const selection = window.getSelection();
      if (link && moved && selection && !selection.isCollapsed) event.preventDefault();
    }, true);
  }

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    const cookie = document.cookie.split("; ").find((item) => item.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.split("=")[1]) : "";
  }

  function init() {
    const panel = document.getElementById("cite-panel");
    let root = document.querySelector(".source-text");
    if (!panel || !root) return;

    const el = (id) => document.getElementById(id);
    const quote = el("cite-quote");
    const offsets = el("cite-offsets");
    const search = el("cite-record-search");
    const results = el("cite-record-results");
    const chosen = el("cite-record-chosen");
    const field = el("cite-field");
    const save = el("cite-save");
    const message = el("cite-message");
    let passage = null; // {quote, start, end} as selected
    let record = null; // {content_type, object_id, label, model}
    let fieldsByModel = {};
    let searchTimer = null;
    let searchSerial = 0;

    // Keep the panel next to the text it cites.
    const container = root.closest(".form-row") || root.parentElement;
    container.after(panel);

    function showErrors(errors) {
      panel.querySelectorAll("ul.errorlist").forEach((list) => {
        list.replaceChildren();
        list.hidden = true;
      });
      Object.entries(errors || {}).forEach(([key, messages]) => {
        const list = el("cite-errors-" + key) || el("cite-errors-__all__");
        messages.forEach((text) => {
          const item = document.createElement("li");
          item.textContent = text;
          list.append(item);
        });
        list.hidden = false;
      });
    }

    function say(text, kind) {
      message.textContent = text;
      message.className = "cite-message" + (kind ? " " + kind : "");
    }

    function showPassage() {
      quote.value = passage ? passage.quote : "";
      offsets.textContent = passage ? "Characters " + passage.start + "–" + passage.end + " of the stored text." : "";
    }

    document.addEventListener("selectionchange", () => {
      const found = selectedPassage(root);
      if (found) {
        passage = found;
        showPassage();
        showErrors({});
        say("");
      }
    });

    function chooseRecord(result) {
      record = result;
      chosen.textContent = "Cites: " + result.label;
      search.value = "";
      closeResults();
      field.replaceChildren(new Option("the whole record", ""));
      (fieldsByModel[result.model] || []).forEach(([name, label]) => field.append(new Option(label + " (" + name + ")", name)));
    }

    function closeResults() {
      results.replaceChildren();
      results.hidden = true;
      search.setAttribute("aria-expanded", "false");
    }

    function showResults(found) {
      results.replaceChildren();
      if (found.length === 0) {
        const empty = document.createElement("li");
        empty.className = "cite-empty";
        empty.textContent = "No record matches.";
        results.append(empty);
      }
      found.forEach((result) => {
        const item = document.createElement("li");
        item.setAttribute("role", "option");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "cite-result";
        button.textContent = result.label + (result.status ? " [" + result.status + "]" : "");
        button.addEventListener("click", () => chooseRecord(result));
        item.append(button);
        results.append(item);
      });
      results.hidden = false;
      search.setAttribute("aria-expanded", "true");
    }

    async function lookUp(term) {
      const serial = ++searchSerial;
      const response = await fetch(panel.dataset.recordsUrl + "?term=" + encodeURIComponent(term), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (serial !== searchSerial) return; // a later keystroke's answer wins
      const body = await response.json();
      if (!response.ok) {
        showErrors(body.errors);
        return;
      }
      fieldsByModel = Object.assign(fieldsByModel, body.fields);
      showResults(body.results);
    }

    search.addEventListener("input", () => {
      clearTimeout(searchTimer);
      const term = search.value.trim();
      if (!term) {
        closeResults();
        return;
      }
      searchTimer = setTimeout(() => lookUp(term), 200);
    });

    // The panel sits inside the page's form: Enter must not submit the source.
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target.tagName !== "TEXTAREA") event.preventDefault();
      if (event.key === "Escape") closeResults();
    });

    el("cite-clear").addEventListener("click", () => {
      passage = null;
      record = null;
      showPassage();
      chosen.textContent = "";
      field.replaceChildren(new Option("the whole record", ""));
      showErrors({});
      say("");
      window.getSelection().removeAllRanges();
    });

    save.addEventListener("click", async () => {
      if (!record) {
        showErrors({ object_id: ["Choose the record the passage supports."] });
        return;
      }
      const body = {
        content_type: record.content_type,
        object_id: record.object_id,
        field: field.value,
        quote: quote.value,
      };
      // Offsets only for the passage as selected; an edited quote is anchored on its own.
      if (passage && quote.value === passage.quote) {
        body.start = passage.start;
        body.end = passage.end;
      }
      save.disabled = true;
      say("Citing…");
      try {
        const response = await fetch(panel.dataset.citeUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify(body),
        });
        const answer = await response.json();
        if (!response.ok) {
          showErrors(answer.errors);
          say("Not cited.", "error");
          return;
        }
        showErrors({});
        const fresh = document.createElement("template");
        fresh.innerHTML = answer.html; // rendered and escaped by the server
        const block = fresh.content.firstElementChild;
        root.replaceWith(block);
        root = block;
        const citation = answer.citation;
        say("Cited for " + citation.record + " (" + citation.match + " match, characters " + citation.start + "–" + citation.end + ").", "success");
        passage = null;
        showPassage();
      } catch (error) {
        say("Not cited: " + error, "error");
      } finally {
        save.disabled = false;
      }
    });
  }

  selectableHighlights();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
