// A topic's charts (governance/topic.html): demands per day of the evidence, and demands per month
// before and after the work (its measured effect), each drawn from the page's JSON.
(function () {
  if (typeof echarts === "undefined") return;
  function draw(elementId, dataId) {
    var element = document.getElementById(elementId);
    var data = document.getElementById(dataId);
    if (!element || !data) return;
    var series = JSON.parse(data.textContent);
    if (!series.days.length) { element.textContent = "—"; return; }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      grid: { left: 36, right: 12, top: 12, bottom: 28 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: series.days },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: series.counts }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  draw("topic-trend", "topic-trend-data");
  draw("topic-effect-chart", "topic-effect-data");
})();
