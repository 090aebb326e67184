// Keyboard review. Everything here is a shortcut for a link or a form that
// works without it.
(function () {
  "use strict";
  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#queue tr.row")); }
  function selected() { return document.querySelector("#queue tr.row.selected"); }
  function select(row) {
    var old = selected();
    if (old) old.classList.remove("selected");
    if (row) { row.classList.add("selected"); row.scrollIntoView({ block: "nearest" }); }
  }
  function move(step) {
    var all = rows();
    if (!all.length) return;
    var i = all.indexOf(selected());
    select(all[Math.max(0, Math.min(all.length - 1, i < 0 ? 0 : i + step))]);
  }
  function focusIn(id) {
    var el = document.getElementById(id);
    if (el) { el.scrollIntoView({ block: "center" }); el.focus(); }
  }
  function submit(form) { if (form) { if (form.requestSubmit) form.requestSubmit(); else form.submit(); } }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    var help = document.getElementById("shortcuts");
    switch (e.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "Enter":
        var row = selected();
        if (!row) return;
        window.location.href = row.getAttribute("data-href");
        break;
      case "a": submit(document.getElementById("assign-me")); break;
      case "e": focusIn("evidence-url"); break;
      case "v": focusIn("verdict-rating"); break;
      case "?": if (help) help.hidden = !help.hidden; break;
      case "Escape": if (help) help.hidden = true; break;
      default: return;
    }
    e.preventDefault();
  });
})();

// A claim by hand from a selection: selecting text in the article fills the
// add-a-claim form's hidden `quote` (the server finds its sentences); the
// sentence-number fields do the same without JavaScript.
(function () {
  "use strict";
  var article = document.querySelector("article.body");
  var quote = document.getElementById("add-claim-quote");
  var shown = document.getElementById("add-claim-selected");
  if (!article || !quote || !shown) return;
  function take() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !article.contains(sel.anchorNode) || !article.contains(sel.focusNode)) return;
    var text = sel.toString().replace(/\s+/g, " ").trim();
    if (!text) return;
    quote.value = text;
    shown.textContent = "Selected: \u201c" + (text.length > 160 ? text.slice(0, 157) + "\u2026" : text) + "\u201d (its sentences become the claim; the numbers below are then ignored)";
    shown.hidden = false;
  }
  article.addEventListener("mouseup", take);
  article.addEventListener("keyup", take);
  document.addEventListener("selectionchange", function () { window.setTimeout(take, 0); });
})();

// The live queue: the queue and claim pages hear (Server-Sent Events on
// /live) when claims change on any node, and offer a reload. Without
// JavaScript the pages work as before; nothing is reloaded by itself, so
// no half-typed verdict is lost.
(function () {
  "use strict";
  var note = document.getElementById("live-note");
  if (!note || !window.EventSource) return;
  var mine = note.getAttribute("data-claim");
  var changed = 0;
  var source = new EventSource("/live");
  source.addEventListener("claims", function (e) {
    var event;
    try { event = JSON.parse(e.data); } catch (err) { return; }
    var claims = event.claims || [];
    if (mine) {
      if (!event.many && claims.indexOf(Number(mine)) < 0) return;
      note.textContent = "This claim was just changed. ";
    } else {
      changed += event.change === "ingest" ? 1 : Math.max(1, claims.length);
      note.textContent = (event.change === "ingest" ? "New claims arrived" : "Claims changed") + " (" + changed + "). ";
    }
    var link = document.createElement("a");
    link.href = window.location.pathname + window.location.search;
    link.textContent = "Reload";
    note.appendChild(link);
    note.hidden = false;
    document.body.setAttribute("data-live-events", String((Number(document.body.getAttribute("data-live-events")) || 0) + 1));
  });
})();
