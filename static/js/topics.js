// A topic's demands per day (governance/topic.html): one echarts line from the page's JSON.
(function () {
  var element = document.getElementById("topic-trend");
  var data = document.getElementById("topic-trend-data");
  if (!element || !data || typeof echarts === "undefined") return;
  var trend = JSON.parse(data.textContent);
  if (!trend.days.length) { element.textContent = "—"; return; }
  var chart = echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    grid: { left: 36, right: 12, top: 12, bottom: 28 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: trend.days },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: trend.counts }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
