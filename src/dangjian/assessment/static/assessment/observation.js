// 现场观摩会 agenda: the print button (no inline handlers under the CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
