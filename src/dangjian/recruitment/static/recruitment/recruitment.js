// 发展党员: a step form loaded by htmx into its slot closes with its 取消 button
// (data-close-slot), and the approval's member items show only when the result is 通过.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-close-slot]");
    if (!button) return;
    event.preventDefault();
    var slot = button.closest(".recruit-step-slot");
    if (slot) slot.innerHTML = "";
  });

  function toggleMemberItems(root) {
    var passed = root.querySelector("select[name=passed]");
    var block = root.querySelector("[data-member-items]");
    if (!passed || !block) return;
    block.hidden = passed.value !== "yes";
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name=passed]")) {
      toggleMemberItems(event.target.closest("form"));
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    event.target.querySelectorAll("form").forEach(toggleMemberItems);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(toggleMemberItems);
  });
})();
