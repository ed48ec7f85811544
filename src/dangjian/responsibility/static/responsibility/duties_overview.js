// 各单位责任清单落实情况: the share of items reported for the quarter, per unit, as bars, with
// the overdue items as a second series. Reads the json_script block named by
// data-duties-chart (no inline script: CSP).
(function () {
  "use strict";
  function draw() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-duties-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.dutiesChart);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      if (!data.units.length) { el.hidden = true; return; }
      var chart = echarts.init(el);
      chart.setOption({
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 8, bottom: 8, top: 40, containLabel: true },
        xAxis: { type: "category", data: data.units, axisLabel: { interval: 0, rotate: 40 } },
        yAxis: [
          { type: "value", name: "报告率（%）", max: 100 },
          { type: "value", name: "逾期事项", minInterval: 1 },
        ],
        series: [
          { name: (data.quarter || "季度") + "报告率", type: "bar", data: data.shares,
            itemStyle: { color: "#c62828" } },
          { name: "逾期事项", type: "line", yAxisIndex: 1, data: data.overdue,
            itemStyle: { color: "#f9a825" } },
        ],
      });
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
