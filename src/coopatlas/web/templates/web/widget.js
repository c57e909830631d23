// coopatlas widget: inserts the partners' frame right after this script tag.
(function () {
  "use strict";
  var frame = {{ frame|safe }};
  var script = document.currentScript;
  if (!script) {
    var all = document.querySelectorAll("script[src]");
    for (var i = all.length - 1; i >= 0; i--) {
      if (all[i].src.indexOf(frame.path) !== -1 && !all[i].dataset.coopatlasDone) { script = all[i]; break; }
    }
  }
  if (!script || !script.parentNode) { return; }
  script.dataset.coopatlasDone = "1";
  var iframe = document.createElement("iframe");
  iframe.src = frame.src;
  iframe.title = frame.title;
  iframe.width = "100%";
  iframe.height = String(frame.height);
  iframe.loading = "lazy";
  iframe.style.border = "0";
  iframe.style.maxWidth = "100%";
  iframe.className = "coopatlas-widget";
  script.parentNode.insertBefore(iframe, script.nextSibling);
})();
