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
