// 现场观摩会 judge page: every score is saved at once through the API; scores that could not
// be sent (no connection, server busy) wait in localStorage and are sent again when the phone
// is back online (the `online` event) and every few seconds. Each item shows its state:
// 已保存 / 待发送 / 错误 (with the server's message). No inline script: CSP.
(function () {
  "use strict";

  var root = document.querySelector("[data-judge]");
  if (!root) return;

  var api = root.dataset.api;
  var csrf = root.dataset.csrf;
  var storageKey = "dangjian-observation-queue:" + root.dataset.key;
  var RETRY_MS = 4000;
  var queue = load();
  var sending = false;
  var again = false;
  var authProblem = false;

  function load() {
    try {
      var value = JSON.parse(window.localStorage.getItem(storageKey) || "{}");
      return value && typeof value === "object" ? value : {};
    } catch (e) {
      return {};
    }
  }

  function persist() {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(queue));
    } catch (e) {
      /* private mode or full: the queue still lives in memory */
    }
  }

  function keyOf(stop, indicator) {
    return stop + ":" + indicator;
  }

  function card(stop) {
    return root.querySelector('[data-stop="' + stop + '"]');
  }

  function item(stop, indicator) {
    var c = card(stop);
    return c ? c.querySelector('[data-item][data-indicator="' + indicator + '"]') : null;
  }

  function setState(el, status, text) {
    if (!el) return;
    var s = el.querySelector("[data-state]");
    el.dataset.status = status;
    s.dataset.status = status;
    s.textContent = text;
  }

  function pendingCount() {
    return Object.keys(queue).length;
  }

  function updateBar() {
    var bar = root.querySelector("[data-net]");
    if (!bar) return;
    var n = pendingCount();
    var online = navigator.onLine !== false;
    var text = online ? "在线" : "离线：评分保存在本机，联网后自动发送";
    if (n) text += " · 待发送 " + n + " 项";
    if (authProblem) text = "登录已失效，请重新登录；待发送的评分会在登录后自动发送（" + n + " 项）";
    bar.textContent = text;
    bar.dataset.pending = String(n);
    bar.dataset.online = online ? "1" : "0";
  }

  function setTotal(stop, total) {
    var c = card(stop);
    if (!c || total === undefined || total === null) return;
    c.querySelector("[data-total]").textContent = total;
  }

  function urlOf(entry) {
    if (entry.indicator === "overall") return api + "/stops/" + entry.stop + "/overall";
    return api + "/stops/" + entry.stop + "/items/" + entry.indicator;
  }

  function request(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrf,
      },
      body: JSON.stringify(body || {}),
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        return { status: resp.status, ok: resp.ok, data: data };
      });
    });
  }

  function message(data, fallback) {
    if (data && data.detail) {
      if (data.errors && data.errors.length && data.errors[0].message) {
        return data.detail + "：" + data.errors[0].message;
      }
      return data.detail;
    }
    return fallback;
  }

  // Send one queued score. Resolves when the server answered; rejects when the network failed
  // (the entry stays queued).
  function send(k) {
    var entry = queue[k];
    return request("PUT", urlOf(entry), { points: entry.points }).then(function (answer) {
      var current = queue[k];
      var same = current && current.points === entry.points;
      var el = item(entry.stop, entry.indicator);
      if (answer.ok) {
        authProblem = false;
        if (same) {
          delete queue[k];
          persist();
          setState(el, "saved", "已保存");
        }
        setTotal(entry.stop, answer.data.sheet_total !== undefined ? answer.data.sheet_total : answer.data.total);
      } else if (answer.status === 401 || answer.status === 403) {
        authProblem = true; // keep it: sent again after signing in
        setState(el, "pending", "待发送（登录已失效）");
      } else if (answer.status === 429 || answer.status >= 500) {
        setState(el, "pending", "待发送");
      } else {
        // refused (out of range, not assigned, not live, submitted): the server's word stands
        if (same) {
          delete queue[k];
          persist();
        }
        setState(el, "error", "错误：" + message(answer.data, "保存失败"));
      }
    });
  }

  function flush() {
    if (sending) {
      again = true;
      return Promise.resolve();
    }
    var keys = Object.keys(queue);
    if (!keys.length) {
      updateBar();
      return Promise.resolve();
    }
    sending = true;
    var chain = Promise.resolve();
    keys.forEach(function (k) {
      chain = chain.then(function () { return queue[k] ? send(k) : null; });
    });
    return chain
      .catch(function () {
        // no connection: everything left stays queued for the next try
        Object.keys(queue).forEach(function (k) {
          var e = queue[k];
          setState(item(e.stop, e.indicator), "pending", "待发送");
        });
      })
      .then(function () {
        sending = false;
        updateBar();
        if (again) {
          again = false;
          return flush();
        }
      });
  }

  function enqueue(stop, indicator, points) {
    queue[keyOf(stop, indicator)] = { stop: stop, indicator: indicator, points: points };
    persist();
    setState(item(stop, indicator), "pending", "待发送");
    updateBar();
    flush();
  }

  function round2(x) {
    return String(Math.round(x * 100) / 100);
  }

  function valueOf(input) {
    var v = parseFloat(input.value);
    return isNaN(v) ? null : v;
  }

  function onChange(el) {
    var input = el.querySelector("[data-input]");
    var stop = el.closest("[data-stop]").dataset.stop;
    var text = (input.value || "").trim();
    if (text === "") return;
    if (isNaN(parseFloat(text))) {
      setState(el, "error", "错误：请输入有效的分数");
      return;
    }
    enqueue(stop, el.dataset.indicator, text);
  }

  root.addEventListener("change", function (event) {
    var input = event.target.closest("[data-input]");
    if (!input) return;
    onChange(input.closest("[data-item]"));
  });

  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-act]");
    if (button) {
      var el = button.closest("[data-item]");
      var input = el.querySelector("[data-input]");
      var max = parseFloat(el.dataset.max);
      var step = max <= 20 ? 0.5 : 1;
      var current = valueOf(input);
      var next;
      if (button.dataset.act === "full") next = max;
      else if (button.dataset.act === "inc") next = current === null ? max : Math.min(max, current + step);
      else next = current === null ? Math.max(0, max - step) : Math.max(0, current - step);
      input.value = round2(next);
      onChange(el);
      return;
    }
    var submit = event.target.closest("[data-submit]");
    if (submit) submitStop(submit.closest("[data-stop]"));
  });

  function pendingFor(stop) {
    return Object.keys(queue).some(function (k) { return String(queue[k].stop) === String(stop); });
  }

  function submitState(c, cls, text) {
    var s = c.querySelector("[data-submit-state]");
    s.className = "small mt-1 " + cls;
    s.textContent = text;
  }

  function submitStop(c) {
    var stop = c.dataset.stop;
    var wait = pendingFor(stop) ? flush() : Promise.resolve();
    wait.then(function () {
      if (pendingFor(stop)) {
        submitState(c, "text-warning", "还有未发送的评分，联网后再提交。");
        return;
      }
      var button = c.querySelector("[data-submit]");
      button.disabled = true;
      request("POST", api + "/stops/" + stop + "/submit", {})
        .then(function (answer) {
          if (answer.ok) {
            c.dataset.submitted = "1";
            c.querySelectorAll("[data-input], [data-act]").forEach(function (x) { x.disabled = true; });
            button.textContent = "已提交";
            setTotal(stop, answer.data.total);
            submitState(c, "text-success", "已提交，计入排名。");
          } else {
            button.disabled = false;
            submitState(c, "text-danger", "提交失败：" + message(answer.data, "请稍后再试"));
          }
        })
        .catch(function () {
          button.disabled = false;
          submitState(c, "text-warning", "网络未连接，请联网后再提交。");
        });
    });
  }

  // scores left from an earlier visit (or before the page was reloaded offline) come back
  Object.keys(queue).forEach(function (k) {
    var e = queue[k];
    var el = item(e.stop, e.indicator);
    if (!el) return;
    el.querySelector("[data-input]").value = e.points;
    setState(el, "pending", "待发送");
  });

  window.addEventListener("online", function () { updateBar(); flush(); });
  window.addEventListener("offline", updateBar);
  window.setInterval(flush, RETRY_MS);
  updateBar();
  flush();
})();
