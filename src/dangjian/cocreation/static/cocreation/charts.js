// 共同缔造 hub charts (ECharts): projects by status per unit (stacked bars) and metric
// achievement (target vs achieved). Data come from json_script blocks named by
// data-cocreation-chart; no inline script (CSP).
(function () {
  "use strict";
  var COLORS = ["#6c757d", "#1565c0", "#2e7d32", "#8d6e63"];
  // Names and units are typed by unit administrators: a custom HTML formatter must escape
  // every value it puts into the tooltip (ECharts' own formatters already do).
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }
  function statusOption(data) {
    return {
      color: COLORS,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: data.units, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", name: "项目数", minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "status", data: s.data };
      }),
    };
  }
  function metricOption(data) {
    return {
      color: ["#bdbdbd", "#c62828"],
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var i = items[0].dataIndex;
          return esc(data.names[i]) + "<br>目标 " + esc(data.targets[i]) + "<br>完成 " +
            esc(data.achieved[i]) + "（" + esc(data.percents[i]) + "%）";
        },
      },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value" },
      series: [
        { name: "目标", type: "bar", data: data.targets },
        { name: "完成", type: "bar", data: data.achieved,
          // a bar label is drawn on the canvas (plain text, not HTML): nothing to escape
          label: { show: true, position: "top", formatter: function (p) { return data.percents[p.dataIndex] + "%"; } } },
      ],
    };
  }
  function draw() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-cocreation-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.cocreationChart);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var empty = el.dataset.kind === "status" ? !data.units.length : !data.names.length;
      if (empty) { el.hidden = true; return; }
      var chart = echarts.init(el);
      chart.setOption(el.dataset.kind === "status" ? statusOption(data) : metricOption(data));
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
