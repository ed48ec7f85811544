// The compliance heat map: rows = orgs, columns = meeting kinds, value = periods missed.
// A click drills down: into a unit's branches, or to a branch's periods of that kind.
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("compliance-heatmap");
    if (!el || typeof echarts === "undefined") return;
    var data = JSON.parse(document.getElementById(el.dataset.compliance).textContent);
    var max = 1;
    data.values.forEach(function (v) { if (v[2] > max) max = v[2]; });
    el.style.height = Math.max(240, 60 + data.rows.length * 26) + "px";
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: {
        formatter: function (p) {
          return data.rows[p.value[1]] + "<br>" + data.kinds[p.value[0]] + "：应开未开 " + p.value[2] + " 期";
        },
      },
      grid: { left: 8, right: 16, top: 8, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: data.kinds, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "category", data: data.rows, inverse: true },
      visualMap: { min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                   inRange: { color: ["#e8f5e9", "#ffcdd2", "#c62828"] } },
      series: [{ type: "heatmap", data: data.values, label: { show: true } }],
    });
    chart.on("click", function (p) {
      var id = data.row_ids[p.value[1]];
      if (data.leaf[p.value[1]]) {
        window.location = el.dataset.cellUrl + "?org=" + id + "&kind=" + data.kind_codes[p.value[0]] + "&year=" + data.year;
      } else {
        window.location = el.dataset.pageUrl + "?org=" + id + "&year=" + data.year;
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
