// coopatlas map base, shared by the atlas's maps (atlas-map.js) and the widgets (widget-map.js):
// the offline base of country shapes (world-atlas, so that a map works without tiles) and the
// optional OpenStreetMap layer, with the switch between them.
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
  // Resolve to the countries' shapes as GeoJSON (Antarctica left out, rings unwrapped).
  function countryShapes(url) {
    return fetch(url)
      .then(function (r) { return r.json(); })
      .then(function (topology) {
        var shapes = topojson.feature(topology, topology.objects.countries);
        shapes.features = shapes.features.filter(function (f) { return f.id !== "010"; });  // Antarctica
        shapes.features.forEach(unwrapAntimeridian);
        return shapes;
      });
  }
  // Add the switch between the offline base (a layer group, shown) and OpenStreetMap's tiles.
  function layerSwitch(map, base, offlineLabel, onlineLabel) {
    var online = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 18, attribution: "© OpenStreetMap"
    });
    var layers = {};
    layers[offlineLabel] = base;
    layers[onlineLabel] = online;
    L.control.layers(layers, null, { collapsed: true }).addTo(map);
  }
  window.coopatlasMapBase = { countryShapes: countryShapes, layerSwitch: layerSwitch };
}());
