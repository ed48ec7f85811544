// Page behaviour without inline scripts (a strict Content-Security-Policy forbids them).
(function () {
  "use strict";

  // Charts: any element with data-chart="<id of a json_script block>" and data-kind.
  function renderCharts(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = echarts.init(el);
      var option;
      if (el.dataset.kind === "bar") {
        option = {
          tooltip: { trigger: "axis" },
          grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
          xAxis: { type: "category", data: data.units, axisLabel: { interval: 0, rotate: 40 } },
          yAxis: { type: "value", name: "党员数" },
          series: [{ type: "bar", data: data.counts, itemStyle: { color: "#c62828" } }],
        };
      } else {
        option = {
          tooltip: { trigger: "item" },
          legend: { bottom: 0 },
          series: [{ type: "pie", radius: ["40%", "70%"], data: data.categories,
                     color: data.colors || ["#c62828", "#f9a825"] }],
        };
      }
      chart.setOption(option);
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // Confirmation for dangerous buttons: <button data-confirm="…">.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.dataset.confirm)) event.preventDefault();
  });

  // Tree: toggling a loaded node hides or shows its children without a new request.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".org-tree .toggle[data-loaded]");
    if (!button) return;
    var list = button.parentElement.querySelector(":scope > ul");
    if (!list) return;
    event.preventDefault();
    var open = list.hidden;
    list.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.querySelector("i").className = open ? "bi bi-caret-down-fill" : "bi bi-caret-right-fill";
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var button = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (button && button.classList && button.classList.contains("toggle")) {
      button.dataset.loaded = "1";
      button.removeAttribute("hx-get");
      button.setAttribute("aria-expanded", "true");
      button.querySelector("i").className = "bi bi-caret-down-fill";
    }
    renderCharts(document);
  });

  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
})();
