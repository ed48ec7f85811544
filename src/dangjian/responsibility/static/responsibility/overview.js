// 责任落实总览: the page's charts. Each element with data-overview-chart="<kind>" reads its
// data from the json_script block named by data-source (no inline script: CSP). Kinds:
// points (completion, on time and average progress per work point), units (completion per
// unit with the overdue tasks), projects (co-creation projects by status per unit, stacked),
// metrics (achievement of each goal metric, which may pass 100 %).
(function () {
  "use strict";
  var RED = "#c62828", AMBER = "#f9a825", GREEN = "#2e7d32", GREY = "#90a4ae", BLUE = "#1565c0";

  // A custom tooltip formatter returns HTML: every value in it is escaped (metric names and
  // units are typed by the units' admins). ECharts' own tooltips escape by themselves.
  function esc(value) {
    var text = value === null || value === undefined ? "" : String(value);
    if (typeof echarts !== "undefined" && echarts.format && echarts.format.encodeHTML) {
      return echarts.format.encodeHTML(text);
    }
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // completion and progress stop at 100 %; a metric's achievement may pass it (no max)
  function percentAxis(name, capped) {
    var axis = { type: "value", name: name || "%", min: 0, axisLabel: { formatter: "{value}%" } };
    if (capped) axis.max = 100;
    return axis;
  }

  function categoryAxis(labels) {
    return {
      type: "category",
      data: labels,
      axisLabel: { interval: 0, rotate: labels.length > 4 ? 35 : 0, width: 120, overflow: "truncate" },
    };
  }

  var builders = {
    points: function (d) {
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 8, bottom: 8, top: 40, containLabel: true },
        xAxis: categoryAxis(d.labels),
        yAxis: percentAxis("%", true),
        series: [
          { name: "完成率", type: "bar", data: d.completion, itemStyle: { color: RED } },
          { name: "按时办结率", type: "bar", data: d.on_time, itemStyle: { color: AMBER } },
          { name: "平均进度", type: "bar", data: d.progress, itemStyle: { color: BLUE } },
        ],
      };
    },
    units: function (d) {
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 8, bottom: 8, top: 40, containLabel: true },
        xAxis: categoryAxis(d.labels),
        yAxis: [percentAxis("完成率", true), { type: "value", name: "逾期（项）", minInterval: 1 }],
        series: [
          { name: "完成率", type: "bar", data: d.completion, itemStyle: { color: RED } },
          { name: "逾期未办结", type: "line", yAxisIndex: 1, data: d.overdue, itemStyle: { color: AMBER } },
        ],
      };
    },
    projects: function (d) {
      var colors = [GREY, AMBER, GREEN, "#757575"];
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 8, bottom: 8, top: 40, containLabel: true },
        xAxis: categoryAxis(d.labels),
        yAxis: { type: "value", name: "项目（个）", minInterval: 1 },
        series: d.series.map(function (s, i) {
          return { name: s.name, type: "bar", stack: "status", data: s.data,
                   itemStyle: { color: colors[i % colors.length] } };
        }),
      };
    },
    metrics: function (d) {
      return {
        tooltip: {
          trigger: "axis",
          formatter: function (items) {
            if (!items || !items.length) return "";
            var i = items[0].dataIndex;
            return esc(d.labels[i]) + "<br>目标 " + esc(d.target[i]) + "，已完成 " +
              esc(d.achieved[i]) + "（" + (d.percent[i] === null ? "—" : esc(d.percent[i]) + "%") +
              "）";
          },
        },
        grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
        xAxis: categoryAxis(d.labels),
        yAxis: percentAxis("达成率"),
        series: [{ name: "达成率", type: "bar", data: d.percent, itemStyle: { color: GREEN },
                   markLine: { silent: true, symbol: "none", data: [{ yAxis: 100 }],
                               lineStyle: { color: RED, type: "dashed" } } }],
      };
    },
  };

  function draw() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-overview-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.source);
      var build = builders[el.dataset.overviewChart];
      if (!source || !build) return;
      var all = JSON.parse(source.textContent);
      var data = all[el.dataset.overviewChart];
      if (!data || !data.labels || !data.labels.length) { el.hidden = true; return; }
      var chart = echarts.init(el);
      chart.setOption(build(data));
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
