// Search page: on a phone the filters fold into one "Filtres" line above the results (open when a
// filter is active or when the person opened them); on a wide screen they are always shown.
// Without JavaScript the panel stays open and the page works the same.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 760px)");
  var chosen = null;  // the person's own open/closed choice, kept across in-place updates
  function apply() {
    var panel = document.querySelector("[data-facets-panel]");
    if (!panel) { return; }
    if (!narrow.matches) { panel.open = true; return; }
    panel.open = chosen !== null ? chosen : panel.hasAttribute("data-active");
  }
  document.addEventListener("click", function (event) {
    var summary = event.target.closest("[data-facets-panel] > summary");
    if (summary) { chosen = !summary.parentElement.open; }
  });
  document.addEventListener("DOMContentLoaded", apply);
  document.body.addEventListener("htmx:afterSwap", apply);
  narrow.addEventListener("change", apply);
})();
