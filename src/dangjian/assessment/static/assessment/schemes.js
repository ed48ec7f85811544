// Scoring schemes: show only the fields an indicator's kind and method need (the server checks
// everything again; without this script every field simply stays visible).
(function () {
  "use strict";

  function update(form) {
    var category = form.querySelector("[data-category-toggle]");
    var method = form.querySelector("[data-method-select]");
    var isCategory = category && category.checked;
    var value = method ? method.value : "";
    function show(name, visible) {
      var box = form.querySelector('[data-field="' + name + '"]');
      if (box) box.hidden = !visible;
    }
    show("method", !isCategory);
    show("deduction_per", !isCategory && (value === "deduction" || value === "auto"));
    show("auto_source", !isCategory && value === "auto");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-indicator-form]").forEach(function (form) {
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  });
})();
