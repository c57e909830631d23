// Tracking pages: on a phone the scope form folds into one "Périmètre" line above the figures;
// on a wide screen, and without JavaScript, it stays open.
(function () {
  "use strict";
  if (!window.matchMedia("(max-width: 700px)").matches) { return; }
  document.querySelectorAll(".scope-details").forEach(function (details) { details.open = false; });
})();
