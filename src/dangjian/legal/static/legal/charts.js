// 法律服务 overview charts (ECharts): coverage percentages (一村（社区）一律师 and the three
// levels of legal advisers) and legal-aid cases by applicant category. Data come from
// json_script blocks named by data-legal-chart; no inline script (CSP).
(function () {
  "use strict";
  function coverageOption(data) {
    return {
      color: ["#c62828"],
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
      grid: { left: 8, right: 24, bottom: 8, top: 16, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: data.names, inverse: true },
      series: [{
        type: "bar", name: "覆盖率", data: data.percents,
        // canvas text, not HTML: nothing to escape
        label: { show: true, position: "right", formatter: function (p) {
          if (data.labels) return data.labels[p.dataIndex];
          return p.value + "%（" + data.texts[p.dataIndex] + "）"; } },
      }],
    };
  }
  function categoryOption(data) {
    return {
      tooltip: { trigger: "item" },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        type: "pie", radius: ["35%", "65%"], name: "法律援助案件",
        data: data.names.map(function (n, i) { return { name: n, value: data.values[i] }; })
          .filter(function (d) { return d.value > 0; }),
      }],
    };
  }
  function draw() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-legal-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.legalChart);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var empty = el.dataset.kind === "coverage" ? !data.names.length :
        !data.values.some(function (v) { return v > 0; });
      if (empty) { el.hidden = true; return; }
      var chart = echarts.init(el);
      chart.setOption(el.dataset.kind === "coverage" ? coverageOption(data) : categoryOption(data));
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
