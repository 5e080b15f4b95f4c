/* Report charts: the chart specifications of reports/charts.py drawn with the vendored ECharts.
   The same specifications are drawn as SVG on the server for the PDF (reports/svg.py). */
(function () {
  "use strict";
  var data = document.getElementById("report-charts");
  if (!data || !window.echarts) { return; }
  var specs = JSON.parse(data.textContent);
  if (!Array.isArray(specs)) { return; }  // a revision still being built has no charts yet
  var geojsonUrl = document.getElementById("reports-js").dataset.geojson;
  var palette = ["#0d6efd", "#adb5bd", "#198754", "#fd7e14", "#6f42c1"];

  function option(spec) {
    if (spec.type === "map") {
      var values = Object.keys(spec.values).map(function (k) { return spec.values[k]; });
      return {
        title: { text: spec.title, textStyle: { fontSize: 13 } },
        tooltip: { trigger: "item", formatter: function (p) { return p.name + ": " + (isNaN(p.value) ? "—" : p.value); } },
        visualMap: { min: 0, max: Math.max.apply(null, values.concat([1])), left: "left", bottom: 0, calculable: true,
                     inRange: { color: ["#e7f1ff", "#084298"] } },
        series: [{ type: "map", map: "beijing", name: spec.series_name, label: { show: true, fontSize: 9 },
                   data: Object.keys(spec.values).map(function (k) { return { name: k, value: spec.values[k] }; }) }]
      };
    }
    return {
      title: { text: spec.title, textStyle: { fontSize: 13 } },
      color: palette,
      tooltip: { trigger: "axis" },
      legend: { top: 22, show: spec.series.length > 1 },
      grid: { top: 60, left: 40, right: 10, bottom: 50 },
      xAxis: { type: "category", data: spec.labels, axisLabel: { rotate: spec.labels.length > 6 ? 30 : 0, fontSize: 10 } },
      yAxis: { type: "value" },
      series: spec.series.map(function (s) {
        return { type: spec.type, name: s.name, data: s.values, smooth: spec.type === "line", connectNulls: false };
      })
    };
  }

  function draw() {
    specs.forEach(function (spec) {
      var element = document.getElementById(spec.id);
      if (!element) { return; }
      var chart = echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(option(spec));
      element.dataset.rendered = "true";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  var needsMap = specs.some(function (s) { return s.type === "map"; });
  if (!needsMap) { draw(); return; }
  fetch(geojsonUrl).then(function (r) { return r.json(); }).then(function (geojson) {
    echarts.registerMap("beijing", geojson);
    draw();
  });
})();
