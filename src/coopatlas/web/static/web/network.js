/* The network view: organisations and their partners as an ECharts force-directed graph. */
(function () {
  "use strict";
  var element = document.querySelector("[data-network]");
  var source = document.getElementById("network-data");
  if (!element || !source || !window.echarts) { return; }
  var graph = JSON.parse(source.textContent);
  var labels = JSON.parse(document.getElementById("network-labels").textContent);
  var chart = echarts.init(element, null, { renderer: "svg" });
  chart.setOption({
    color: ["#1d3f8f", "#c9191e", "#2f8f5b", "#e0a030", "#7a4fb0", "#3a9fbf", "#9a6b3f", "#555"],
    legend: [{ data: graph.categories.map(function (c) { return c.name; }), top: 0 }],
    // Names come from imports: the tooltip is drawn as text in the chart ("richText"), never as
    // HTML, so no name can become markup (and ECharts' HTML tooltip's style attributes break the CSP).
    tooltip: {
      renderMode: "richText",
      formatter: function (p) { return p.dataType === "node" ? p.data.name + " · " + p.data.value : ""; }
    },
    series: [{
      type: "graph", layout: "force", roam: true, draggable: true, top: 70,
      data: graph.nodes, links: graph.links, categories: graph.categories,
      force: { repulsion: 120, edgeLength: [40, 120], gravity: 0.08 },
      label: { show: true, position: "right", formatter: function (p) { return p.data.value >= 3 ? p.data.name : ""; } },
      lineStyle: { color: "source", opacity: 0.45, curveness: 0.1 },
      emphasis: { focus: "adjacency" }
    }]
  });
  chart.on("click", function (p) { if (p.dataType === "node" && p.data.url) { window.location.href = p.data.url; } });
  window.addEventListener("resize", function () { chart.resize(); });
  var note = document.querySelector("[data-network-note]");
  if (note && graph.total > graph.shown) {
    note.textContent = labels.shown.replace("{shown}", graph.shown).replace("{total}", graph.total);
  }
  element.dataset.ready = "1";
})();
