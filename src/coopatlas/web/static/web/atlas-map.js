// coopatlas map: an offline base of country shapes (world-atlas), an optional online tile layer,
// markers of located organisations clustered per zoom and view by the server (reloaded as the
// view moves), and lines from an organisation to its partners.
(function () {
  "use strict";
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
    window.coopatlasMapBase.countryShapes(element.dataset.countries)
      .then(function (shapes) {
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
    window.coopatlasMapBase.layerSwitch(
      map, base, label("offline", "Fond hors ligne (pays)"), label("online", "Fond OpenStreetMap (en ligne)")
    );
    // The server groups the places per zoom and view: a cluster per grid cell holding several,
    // a point per cell holding one. Points still go through markercluster so that places at the
    // same spot spread out when opened.
    var clusters = L.layerGroup().addTo(map);
    var points = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 30 });
    map.addLayer(points);
    var lines = L.layerGroup().addTo(map);
    if (!element.dataset.geojson) { element.dataset.loaded = "0"; return; }
    var source = new URL(element.dataset.geojson, window.location.href);
    var centreId = element.dataset.centre ? Number(element.dataset.centre) : null;
    var pointsZoom = 12, requested = 0;
    // Leaflet's view can run past the antimeridian and the poles: send it as the server wants it.
    function viewBox() {
      var b = map.getBounds(), west = b.getWest(), east = b.getEast();
      var clamp = function (v, low, high) { return Math.max(low, Math.min(high, v)); };
      var south = clamp(b.getSouth(), -90, 90), north = clamp(b.getNorth(), -90, 90);
      if (east - west >= 360) { west = -180; east = 180; } else {
        var width = east - west;
        west = ((((west + 180) % 360) + 360) % 360) - 180;
        east = west + width;
        if (east > 180) { east -= 360; }  // across the antimeridian: the server takes west > east
      }
      return [west, south, east, north].map(function (v) { return v.toFixed(5); }).join(",");
    }
    function clusterIcon(count) {
      var inner = document.createElement("div"), number = document.createElement("span");
      number.textContent = String(count);
      inner.appendChild(number);
      var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
      return L.divIcon({ html: inner, className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40) });
    }
    function popupLoader(marker, url) {
      // The popup's details come from the server when it is first opened.
      var waiting = document.createElement("div");
      waiting.className = "map-popup";
      waiting.textContent = marker.options.title + " …";
      marker.bindPopup(waiting);
      marker.once("popupopen", function () {
        fetch(url)
          .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
          .then(function (p) { marker.setPopupContent(popupFor(p)); });
      });
    }
    // The server answers in -180..180: a view across the antimeridian runs past 180 (or -180),
    // where its places must be drawn a turn further.
    function turn(longitude) {
      var b = map.getBounds();
      if (longitude < b.getWest() && longitude + 360 <= b.getEast()) { return 360; }
      if (longitude > b.getEast() && longitude - 360 >= b.getWest()) { return -360; }
      return 0;
    }
    function draw(data) {
      clusters.clearLayers(); points.clearLayers(); lines.clearLayers();
      pointsZoom = data.points_zoom || pointsZoom;
      var centre = null;
      if (data.centre) {
        var c = data.centre.coordinates;
        centre = [c[1], c[0] + turn(c[0])];
      }
      var places = 0;
      data.features.forEach(function (f) {
        var p = f.properties, shift = turn(f.geometry.coordinates[0]);
        var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0] + shift];
        places += p.count;
        if (centre && p.id !== centreId) {
          lines.addLayer(L.polyline([centre, ll], { color: "#1d3f8f", weight: 1.2, opacity: 0.6, interactive: false }));
        }
        if (p.cluster) {
          var cluster = L.marker(ll, { icon: clusterIcon(p.count), title: label("organisations", "{n} organisations").replace("{n}", p.count), keyboard: true });
          cluster.on("click", function () {
            var bounds = L.latLngBounds([p.bbox[1], p.bbox[0] + shift], [p.bbox[3], p.bbox[2] + shift]);
            var zoom = Math.min(Math.max(map.getBoundsZoom(bounds.pad(0.2)), map.getZoom() + 1), pointsZoom);
            map.setView(bounds.getCenter(), zoom);
          });
          clusters.addLayer(cluster);
          return;
        }
        var marker = L.circleMarker(ll, {
          radius: p.id === centreId ? 9 : 6, weight: 1.5, color: "#fff",
          fillColor: p.french ? "#1d3f8f" : "#c9191e", fillOpacity: 0.9, className: "atlas-marker"
        });
        marker.options.title = p.name;
        popupLoader(marker, data.popup.replace("{id}", String(p.id)));
        points.addLayer(marker);
      });
      element.dataset.loaded = String(places);
      element.dataset.features = String(data.features.length);
      element.dataset.zoom = String(data.zoom);
    }
    function load(first) {
      var url = new URL(source.href);
      url.searchParams.set("zoom", String(map.getZoom()));
      if (!first) { url.searchParams.set("bbox", viewBox()); }
      var ticket = ++requested;
      element.dataset.loading = "1";
      return fetch(url.href)
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (ticket !== requested) { return; }  // a newer view was asked meanwhile
          element.dataset.loading = "0";
          draw(data);
          if (first) {
            map.on("moveend", function () { load(false); });
            if (data.extent) {
              var e = data.extent;
              map.fitBounds([[e[1], e[0]], [e[3], e[2]]], { padding: [30, 30], maxZoom: 6, animate: false });
            }
          }
        })
        .catch(function () { if (ticket === requested) { element.dataset.loading = "0"; } });
    }
    load(true);
  }
  document.querySelectorAll("[data-atlas-map]").forEach(init);
})();
