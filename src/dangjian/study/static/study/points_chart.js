// The points ranking's chart: the top 10 of the org and year as bars. Reads the data from
// the json_script block named by data-points-chart (no inline script: CSP).
(function () {
  "use strict";
  function draw() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-points-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.pointsChart);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      if (!data.names.length) { el.hidden = true; return; }
      var chart = echarts.init(el);
      chart.setOption({
        title: { text: "积分前十名", left: "center", textStyle: { fontSize: 13 } },
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
        xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: 40 } },
        yAxis: { type: "value", name: "积分" },
        series: [{ type: "bar", data: data.totals, itemStyle: { color: "#c62828" } }],
      });
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
