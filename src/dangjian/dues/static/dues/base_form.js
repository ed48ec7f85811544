// The base form of a member's dues ledger: repeatable pay-item rows ("添加一项") and the
// fields that apply to the chosen category (a fixed amount or a base). No inline scripts (CSP).
(function () {
  "use strict";

  function setup(form) {
    var fixed = (form.dataset.fixedCategories || "").split(",");
    var category = form.querySelector("[name=category]");

    function sync() {
      var isFixed = category && fixed.indexOf(category.value) !== -1;
      form.querySelectorAll("[data-only=fixed]").forEach(function (el) { el.hidden = !isFixed; });
      form.querySelectorAll("[data-only=percent]").forEach(function (el) { el.hidden = isFixed; });
    }
    if (category) {
      category.addEventListener("change", sync);
      sync();
    }

    var add = form.querySelector("[data-add-item]");
    if (add) {
      add.addEventListener("click", function (event) {
        event.preventDefault();
        var rows = form.querySelectorAll("[data-item-row]");
        var last = rows[rows.length - 1];
        if (!last || rows.length >= 20) return;
        var copy = last.cloneNode(true);
        copy.querySelectorAll("input").forEach(function (input) { input.value = ""; });
        last.parentNode.insertBefore(copy, last.nextSibling);
        var first = copy.querySelector("input");
        if (first) first.focus();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-base-form]").forEach(setup);
  });
})();
