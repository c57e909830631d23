// Search form: send only the fields that have a value, so that a search's address carries no
// empty parameter (`debut_min=&debut_max=`). A native submission skips disabled fields: empty
// ones are disabled for the moment of the submission. htmx's in-place requests (on a change or
// a submit) drop them from the request itself. The server also redirects an address with empty
// parameters to the clean one, for a browser without JavaScript.
(function () {
  "use strict";
  function searchForm(element) {
    return element && element.closest ? element.closest("form.search-layout") : null;
  }
  document.addEventListener("submit", function (event) {
    var form = searchForm(event.target);
    if (!form) { return; }
    var emptied = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && !field.disabled && typeof field.value === "string" && !field.value.trim() &&
          field.type !== "checkbox" && field.type !== "radio" && field.type !== "submit") {
        field.disabled = true;
        emptied.push(field);
      }
    });
    // Enabled again once the form's data is taken (a back navigation finds them usable).
    window.setTimeout(function () {
      emptied.forEach(function (field) { field.disabled = false; });
    }, 0);
  }, true);
  document.addEventListener("htmx:configRequest", function (event) {
    if (!searchForm(event.detail.elt)) { return; }
    var data = event.detail.formData;
    var kept = [];
    data.forEach(function (value, name) {
      if (typeof value !== "string" || value.trim()) { kept.push([name, value]); }
    });
    Array.from(new Set(Array.from(data.keys()))).forEach(function (name) { data.delete(name); });
    kept.forEach(function (pair) { data.append(pair[0], pair[1]); });
  });
})();
