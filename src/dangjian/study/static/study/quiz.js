// The self-test page: a countdown from the seconds the server says are left
// (data-seconds-left on the form: the phone's clock is not trusted), a warning in the last
// minute, the answer sheet sent by itself when the time is up, a question before sending with
// questions unanswered, and no second sending. No inline scripts (CSP).
(function () {
  "use strict";

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function label(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return pad(m) + ":" + pad(s);
  }

  function unanswered(form) {
    var count = 0;
    form.querySelectorAll("[data-question-card]").forEach(function (card) {
      if (!card.querySelector("input:checked")) count += 1;
    });
    return count;
  }

  function setup(form) {
    var left = parseInt(form.dataset.secondsLeft, 10);
    if (isNaN(left) || left < 0) left = 0;
    var display = form.querySelector("[data-countdown]");
    var button = form.querySelector("[data-submit]");
    var endsAt = Date.now() + left * 1000;
    var sent = false;
    var automatic = false;

    function send() {
      if (sent) return;
      automatic = true;
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();
      } else {
        sent = true;
        form.submit();
      }
    }

    form.addEventListener("submit", function (event) {
      if (sent) {
        event.preventDefault();
        return;
      }
      if (!automatic) {
        var open = unanswered(form);
        if (open > 0 && !window.confirm("还有" + open + "题未作答，确定交卷吗？")) {
          event.preventDefault();
          return;
        }
      }
      sent = true;
      if (button) {
        button.disabled = true;
        button.textContent = "正在交卷…";
      }
    });

    function tick() {
      var seconds = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
      if (display) {
        display.textContent = label(seconds);
        display.classList.toggle("text-danger", seconds <= 60);
      }
      if (seconds <= 0) {
        send();
        return;
      }
      var rest = (endsAt - Date.now()) % 1000;
      window.setTimeout(tick, (rest > 0 ? rest : 1000) + 5);
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-quiz-form]").forEach(setup);
  });
})();
