// The task matrix's chart: per unit, the share of tasks closed and the average progress.
// Reads the data from the json_script block named by data-tasks-chart (no inline script: CSP).
(function () {
  "use strict";
  function draw() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-tasks-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.tasksChart);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      if (!data.units.length) { el.hidden = true; return; }
      var chart = echarts.init(el);
      chart.setOption({
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
        legend: { top: 0 },
        grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
        xAxis: { type: "category", data: data.units, axisLabel: { interval: 0, rotate: 40 } },
        yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        series: [
          { name: "办结率", type: "bar", data: data.closed, itemStyle: { color: "#c62828" } },
          { name: "平均进度", type: "bar", data: data.progress, itemStyle: { color: "#f9a825" } },
        ],
      });
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
