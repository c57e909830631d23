/* Dashboard charts drawn with Apache ECharts (npm, served from our own static files).
   Each [data-chart] element reads its figure from #dashboard-data; a click on a bar opens the
   list behind it; [data-download] buttons save a chart as PNG or SVG. */
(function () {
  "use strict";
  // A select marked data-autosubmit sends its form when changed (no inline handler: the page's CSP).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]") && event.target.form) { event.target.form.submit(); }
  });
  var printing = Boolean(document.querySelector("[data-print-view]")) || /impression=1/.test(location.search);
  if (printing) {
    window.addEventListener("load", function () { document.documentElement.classList.add("printing"); });
  }
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#1d3f8f", "#c9191e", "#2f8f5b", "#e0a030", "#7a4fb0", "#3a9fbf", "#9a6b3f"];
  var charts = {};

  var labelWidth = 180;
  // Numbers as the page's language writes them: "650 834 €" and "200 k€" in French,
  // "€650,834" and "€200K" in English.
  var lang = document.documentElement.lang || "fr";
  var formats = {
    count: new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }),
    countAxis: new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 }),
    money: new Intl.NumberFormat(lang, { style: "currency", currency: "EUR", maximumFractionDigits: 0 }),
    moneyAxis: new Intl.NumberFormat(lang, { style: "currency", currency: "EUR", notation: "compact",
                                             maximumFractionDigits: 1 })
  };
  function formatter(format) {
    return function (value) {
      if (value !== null && typeof value === "object") { value = value.value; }
      return typeof value === "number" ? format.format(value) : (value == null ? "" : String(value));
    };
  }
  // On a phone, the legend is one series a line, and the plot starts below it: a legend that
  // wraps by itself would run into the bars.
  var narrow = false;
  function legendFor() {
    return narrow ? { top: 0, left: 0, orient: "vertical", itemGap: 6 } : { top: 0 };
  }
  function legendHeight(count) { return narrow ? count * 20 + 10 : 30; }
  function optionFor(kind, entry, money) {
    var value = formatter(money ? formats.money : formats.count);
    var valueAxis = { type: "value", minInterval: 1,
                      axisLabel: { formatter: formatter(money ? formats.moneyAxis : formats.countAxis),
                                   hideOverlap: true } };
    var base = { color: palette, animation: !printing, textStyle: { fontFamily: "system-ui, sans-serif" },
                 // Drawn as text in the chart, not HTML: labels come from the data, and the HTML
                 // tooltip's style attributes are refused by the CSP.
                 tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText",
                            valueFormatter: value } };
    if (kind === "ranking") {
      var several = (entry.series || []).length > 1;
      var bars = (entry.series || [{ name: entry.title, values: entry.values }]).map(function (s) {
        return { name: s.name, type: "bar", data: s.values, cursor: "pointer", barMaxWidth: 22,
                 label: { show: true, position: "right", formatter: value } };
      });
      return Object.assign(base, {
        legend: several ? legendFor() : { show: false },
        grid: { left: labelWidth + 12, right: money ? 88 : 56, bottom: 24, outerBoundsMode: "none",
                top: several ? legendHeight(entry.series.length) : 8 },
        // Few ticks across: the bars carry their own figures, and "400 k€" takes room.
        xAxis: Object.assign(valueAxis, { splitNumber: money ? 2 : 4 }),
        yAxis: { type: "category", inverse: true, data: entry.labels,
                 axisLabel: { width: labelWidth, overflow: "truncate" } },
        series: bars
      });
    }
    var series = (entry.series || []).map(function (s, i) {
      var line = kind === "years" && i === 1;
      return { name: s.name, type: line ? "line" : "bar", data: s.values, cursor: "pointer",
               smooth: false, symbolSize: 6, barMaxWidth: 26 };
    });
    return Object.assign(base, {
      legend: legendFor(),
      grid: { left: 8, right: 16, top: legendHeight(series.length) + 6, bottom: 8 },
      xAxis: { type: "category", data: entry.labels },
      yAxis: valueAxis,
      series: series
    });
  }

  function draw(element) {
    var name = element.dataset.chart, entry = data[name];
    if (!entry) { return; }
    if (element.dataset.kind === "ranking") {
      var rows = entry.labels.length * (entry.series && entry.series.length > 1 ? 1.6 : 1);
      element.style.height = Math.max(160, 30 * rows + 60) + "px";
      labelWidth = Math.min(180, Math.round(element.clientWidth * 0.4));
    }
    narrow = element.clientWidth < 480;
    var chart = echarts.init(element, null, { renderer: "svg" });
    var option = optionFor(element.dataset.kind, entry, element.dataset.money === "1");
    chart.setOption(option);
    chart.on("click", function (params) {
      var urls = entry.series ? entry.series[params.seriesIndex].urls : entry.urls;
      var url = urls && urls[params.dataIndex];
      if (url) { window.location.href = url; }
    });
    charts[name] = { chart: chart, option: option, element: element };
    element.dataset.ready = "1";
  }

  function save(url, filename) {
    var link = document.createElement("a");
    link.href = url;
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function download(name, format) {
    var entry = charts[name];
    if (!entry) { return; }
    var filename = "tableau-de-bord-" + name + "." + format;
    if (format === "svg") {
      save(entry.chart.getDataURL({ type: "svg" }), filename);
      return;
    }
    // PNG: the same option drawn once more on a canvas renderer, off screen.
    var box = document.createElement("div");
    box.style.cssText = "position:absolute;left:-10000px;top:0;width:" + entry.element.clientWidth +
      "px;height:" + entry.element.clientHeight + "px";
    document.body.appendChild(box);
    var canvasChart = echarts.init(box, null, { renderer: "canvas" });
    canvasChart.setOption(Object.assign({}, entry.option, { animation: false }));
    save(canvasChart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" }), filename);
    canvasChart.dispose();
    box.remove();
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-download]");
    if (button) { download(button.dataset.for, button.dataset.download); }
  });
  var resize = function () { Object.keys(charts).forEach(function (k) { charts[k].chart.resize(); }); };
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.coopatlasCharts = charts;
})();
