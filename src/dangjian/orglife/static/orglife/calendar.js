// The calendar page: copy the feed address (a button with data-copy-target="<input id>").
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var input = document.getElementById(button.dataset.copyTarget);
    if (!input) return;
    input.select();
    var done = function () { button.textContent = "已复制"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {});
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  });
})();
