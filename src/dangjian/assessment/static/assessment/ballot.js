// The phone ballot page (述职评议): shows how many secretaries have a grade, and on submit
// with one missing, scrolls to it instead of sending a ballot the server would refuse.
// Behaviour only; the server checks everything again.
(function () {
  "use strict";

  function init(form) {
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-ballot-row]"));
    var progress = form.querySelector("[data-ballot-progress]");

    function chosen(row) {
      return row.querySelector("input[type=radio]:checked") !== null;
    }

    function update() {
      var done = rows.filter(chosen).length;
      if (progress) {
        progress.textContent = "已评定 " + done + " / " + rows.length + " 位书记";
      }
      rows.forEach(function (row) {
        if (chosen(row)) {
          row.classList.remove("border-danger");
        }
      });
    }

    form.addEventListener("change", update);
    form.addEventListener("submit", function (event) {
      var missing = rows.filter(function (row) { return !chosen(row); });
      if (missing.length) {
        event.preventDefault();
        missing.forEach(function (row) { row.classList.add("border-danger"); });
        missing[0].scrollIntoView({ behavior: "smooth", block: "center" });
        if (progress) {
          progress.textContent = "还有 " + missing.length + " 位书记未评定等次，请全部评定后再提交。";
        }
        return;
      }
      var button = form.querySelector("button");
      if (button) {
        button.disabled = true;  // one tap, one ballot (the server refuses a second anyway)
      }
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-ballot]").forEach(init);
  });
})();
