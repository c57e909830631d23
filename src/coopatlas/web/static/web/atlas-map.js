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
  // Light to dark blue by the share of the largest count (square root: small counts stay visible).
  function shade(count, max) {
    var t = Math.sqrt(count / max);
    var from = [214, 226, 245], to = [18, 42, 99];
    var rgb = from.map(function (a, i) { return Math.round(a + (to[i] - a) * t); });
    return "rgb(" + rgb.join(",") + ")";
  }
  // Interface strings come translated from the page (French or English).
  var labelsElement = document.getElementById("atlas-map-labels");
  var labels = labelsElement ? JSON.parse(labelsElement.textContent) : {};
  function label(key, fallback) { return labels[key] || fallback; }
  function countLabel(n) {
    return n === 1 ? label("one", "1 partenariat") : label("many", "{n} partenariats").replace("{n}", n);
  }
  // A place's popup: its name (to its page), its country, and links to its latest partnerships.
  function popupFor(p) {
    var popup = document.createElement("div");
    popup.className = "map-popup";
    var title = document.createElement("a");
    title.href = p.url; title.textContent = p.name; title.className = "map-popup-title";
    popup.appendChild(title);
    popup.appendChild(document.createTextNode(" — " + p.country + " · " + countLabel(p.partnerships)));
    if (p.links && p.links.length) {
      var list = document.createElement("ul");
      p.links.forEach(function (link) {
        var item = document.createElement("li"), a = document.createElement("a");
        a.href = link.url; a.textContent = link.title;
        item.appendChild(a); list.appendChild(item);
      });
      popup.appendChild(list);
      if (p.partnerships > p.links.length) {
        var more = document.createElement("p");
        more.textContent = label("more", "et {n} de plus sur sa page").replace("{n}", p.partnerships - p.links.length);
        popup.appendChild(more);
      }
    }
    return popup;
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
        var counts = {};
        var drawShapes = function () {
          L.geoJSON(shapes, {
            style: function (f) {
              var c = counts[f.id];
              return { color: "#9aa5b8", weight: 0.6, fillOpacity: 1,
                       fillColor: c ? shade(c.count, maxCount) : "#e9edf3" };
            },
            onEachFeature: function (f, layer) {
              var c = counts[f.id];
              if (!c) { return; }
              // Leaflet writes a string tooltip as HTML: give it a text node instead.
              var tip = document.createElement("span");
              tip.textContent = c.name + " : " + countLabel(c.count);
              layer.bindTooltip(tip, { sticky: true });
              layer.on("click", function () { window.location.href = c.search; });
            }
          }).addTo(base);
          base.getLayers().forEach(function (l) { if (l.bringToBack) { l.bringToBack(); } });
        };
        var maxCount = 1;
        if (element.dataset.choropleth) {
          fetch(element.dataset.choropleth).then(function (r) { return r.json(); }).then(function (data) {
            counts = data;
            Object.keys(data).forEach(function (k) { maxCount = Math.max(maxCount, data[k].count); });
            drawShapes();
          }).catch(drawShapes);
        } else {
          drawShapes();
        }
      })
      .catch(function () { /* the markers still show without the base layer */ });
    var online = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 18, attribution: "© OpenStreetMap"
    });
    var layers = {};
    layers[label("offline", "Fond hors ligne (pays)")] = base;
    layers[label("online", "Fond OpenStreetMap (en ligne)")] = online;
    L.control.layers(layers, null, { collapsed: true }).addTo(map);
    var clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45 });
    map.addLayer(clusters);
    if (!element.dataset.geojson) { element.dataset.loaded = "0"; return; }
    fetch(element.dataset.geojson)
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var centreId = element.dataset.centre ? Number(element.dataset.centre) : null;
        var centre = null, points = [];
        data.features.forEach(function (f) {
          var p = f.properties, ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
          var marker = L.circleMarker(ll, {
            radius: p.id === centreId ? 9 : 6, weight: 1.5, color: "#fff",
            fillColor: p.french ? "#1d3f8f" : "#c9191e", fillOpacity: 0.9, className: "atlas-marker"
          });
          marker.bindPopup(popupFor(p));
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
