// coopatlas widget map: the authority and its partners on the offline base of country shapes
// (world-atlas, as on the atlas's map, so that it works without tiles), with the optional
// OpenStreetMap layer. Points come from the page (a JSON block), never as HTML.
(function () {
  "use strict";
  function popupFor(point, labels) {
    var popup = document.createElement("div");
    popup.className = "widget-popup";
    var link = document.createElement("a");
    link.href = point.url; link.target = "_blank"; link.rel = "noopener";
    link.textContent = point.name;
    link.title = labels.open || "";
    var country = document.createElement("span");
    country.textContent = point.country;
    popup.appendChild(link); popup.appendChild(country);
    return popup;
  }
  function init(element) {
    var dataElement = document.getElementById("widget-map-data");
    if (!dataElement) { return; }
    var data = JSON.parse(dataElement.textContent), labels = data.labels || {};
    var accent = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim() || "#1d3f8f";
    var map = L.map(element, { worldCopyJump: true, minZoom: 1, maxZoom: 12 }).setView([30, 10], 1);
    var base = L.layerGroup().addTo(map);
    window.coopatlasMapBase.countryShapes(element.dataset.countries)
      .then(function (shapes) {
        L.geoJSON(shapes, {
          style: function () { return { color: "#9aa5b8", weight: 0.6, fillOpacity: 1, fillColor: "#e9edf3" }; },
          interactive: false
        }).addTo(base);
        base.getLayers().forEach(function (l) { if (l.bringToBack) { l.bringToBack(); } });
      })
      .catch(function () { /* the points still show without the base layer */ });
    window.coopatlasMapBase.layerSwitch(
      map, base, labels.offline || "Fond hors ligne (pays)", labels.online || "Fond OpenStreetMap (en ligne)"
    );
    var bounds = [];
    var centre = data.centre ? [data.centre.lat, data.centre.lng] : null;
    data.points.forEach(function (point) {
      var ll = [point.lat, point.lng];
      if (centre) {
        L.polyline([centre, ll], { color: accent, weight: 1, opacity: 0.5, interactive: false }).addTo(map);
      }
      var marker = L.circleMarker(ll, {
        radius: 6, weight: 1.5, color: "#fff", fillColor: accent, fillOpacity: 0.9, className: "widget-marker"
      });
      marker.bindPopup(popupFor(point, labels));
      marker.bindTooltip(document.createTextNode(point.name));
      marker.addTo(map);
      bounds.push(ll);
    });
    if (centre) {
      L.circleMarker(centre, {
        radius: 8, weight: 2, color: accent, fillColor: "#fff", fillOpacity: 1, className: "widget-centre"
      }).bindTooltip(document.createTextNode(data.centre.name)).addTo(map);
      bounds.push(centre);
    }
    if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 6, animate: false });
    } else if (bounds.length === 1) {
      map.setView(bounds[0], 5);
    }
    element.dataset.points = String(data.points.length);
    element.dataset.ready = "1";
  }
  document.querySelectorAll("[data-widget-map]").forEach(init);
})();
