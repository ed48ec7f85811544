// 老干部工作总览 charts (ECharts): activities per month (stacked bars), activities by resource
// category and requests by state (pies). Data come from json_script blocks named by
// data-veterans-chart; no inline script (CSP). Labels are drawn by ECharts' own formatters,
// which escape them.
(function () {
  "use strict";
  var COLORS = ["#c62828", "#90a4ae", "#f9a825", "#1565c0", "#6d4c41"];
  function monthsOption(data) {
    return {
      color: ["#1565c0", "#c62828", "#2e7d32"],
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: data.months, axisLabel: { rotate: 30 } },
      yAxis: { type: "value", name: "次数", minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "all", data: s.data };
      }),
    };
  }
  function pieOption(data) {
    return {
      color: COLORS,
      tooltip: { trigger: "item" },
      legend: { bottom: 0 },
      series: [{
        type: "pie",
        radius: ["35%", "65%"],
        data: data.names.map(function (name, i) { return { name: name, value: data.values[i] }; }),
        label: { formatter: "{b}\n{c}" },
      }],
    };
  }
  function empty(data, kind) {
    if (kind === "months") {
      return !data.series.some(function (s) { return s.data.some(function (n) { return n > 0; }); });
    }
    return !data.values.some(function (n) { return n > 0; });
  }
  function draw() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-veterans-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.veteransChart);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      if (empty(data, el.dataset.kind)) { el.hidden = true; return; }
      var chart = echarts.init(el);
      chart.setOption(el.dataset.kind === "months" ? monthsOption(data) : pieOption(data));
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
