// coopatlas map: an offline base of country shapes (world-atlas), an optional online tile layer,
// clustered markers of located organisations, and lines from a French authority to its partners.
(function () {
  "use strict";
  // Keep each ring continuous across the 180th meridian (Russia, Fiji) so that no polygon edge
  // is drawn across the whole map.
  function unwrapRing(ring) {
    for (var i = 1; i < ring.length; i++) {
      var delta = ring[i][0] - ring[i - 1][0];
      if (delta > 180) { ring[i][0] -= 360; } else if (delta < -180) { ring[i][0] += 360; }
    }
  }
  function unwrapAntimeridian(feature) {
    var g = feature.geometry;
    if (!g) { return; }
    var polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    polygons.forEach(function (polygon) { polygon.forEach(unwrapRing); });
  }
  function init(element) {
    var map = L.map(element, { worldCopyJump: true, minZoom: 1, maxZoom: 18 }).setView([30, 10], 2);
    var base = L.layerGroup().addTo(map);
    fetch(element.dataset.countries)
      .then(function (r) { return r.json(); })
      .then(function (topology) {
        var shapes = topojson.feature(topology, topology.objects.countries);
        shapes.features = shapes.features.filter(function (f) { return f.id !== "010"; });  // Antarctica
        shapes.features.forEach(unwrapAntimeridian);
        L.geoJSON(shapes, { style: { color: "#9aa5b8", weight: 0.6, fillColor: "#e9edf3", fillOpacity: 1 },
                            interactive: false }).addTo(base);
      })
      .catch(function () { /* the markers still show without the base layer */ });
    var online = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 18, attribution: "© OpenStreetMap"
    });
    L.control.layers({ "Fond hors ligne (pays)": base, "Fond OpenStreetMap (en ligne)": online }, null,
                     { collapsed: true }).addTo(map);
    var clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45 });
    map.addLayer(clusters);
    fetch(element.dataset.geojson)
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var centreId = element.dataset.centre ? Number(element.dataset.centre) : null;
        var centre = null, points = [];
        data.features.forEach(function (f) {
          var p = f.properties, ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
          var marker = L.circleMarker(ll, {
            radius: p.id === centreId ? 9 : 6, weight: 1.5, color: "#fff",
            fillColor: p.french ? "#1d3f8f" : "#c9191e", fillOpacity: 0.9
          });
          var link = document.createElement("a");
          link.href = p.url; link.textContent = p.name;
          var popup = document.createElement("div");
          popup.appendChild(link);
          popup.appendChild(document.createTextNode(" — " + p.country + " · " + p.partnerships + " partenariat(s)"));
          marker.bindPopup(popup);
          clusters.addLayer(marker);
          points.push(ll);
          if (p.id === centreId) { centre = ll; }
        });
        if (centre) {
          points.forEach(function (ll) {
            if (ll !== centre) { L.polyline([centre, ll], { color: "#1d3f8f", weight: 1.2, opacity: 0.6 }).addTo(map); }
          });
        }
        if (points.length) { map.fitBounds(points, { padding: [30, 30], maxZoom: 6 }); }
        element.dataset.loaded = String(points.length);
      });
  }
  document.querySelectorAll("[data-atlas-map]").forEach(init);
})();
