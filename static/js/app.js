/* 海宁市食品安全监管平台 — page behaviour. No inline scripts anywhere (CSP script-src 'self'). */
(function () {
  "use strict";

  // Forms with data-confirm="…" ask before submitting (e.g. revoke, re-draw).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // Prevent double submission of normal (non-htmx) forms: disable submit buttons once sent.
    if (!form.hasAttribute("hx-post") && !form.hasAttribute("data-allow-resubmit")) {
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (btn) {
          btn.disabled = true;
          btn.classList.add("is-submitting");
        });
      }, 0);
    }
  });

  // Coming back through the browser history (bfcache) re-enables them.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll(".is-submitting").forEach(function (btn) {
      btn.disabled = false;
      btn.classList.remove("is-submitting");
    });
  });

  // Charts: <div class="chart" data-chart="ID"> with {{ option|json_script:"ID" }} next to it (ECharts option JSON).
  function initCharts(root) {
    if (typeof window.echarts === "undefined") return;
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.getAttribute("data-chart-ready")) return;
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) return;
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(JSON.parse(source.textContent));
      el.setAttribute("data-chart-ready", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // Show htmx errors to the user instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var box = document.getElementById("htmx-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "htmx-error";
      box.className = "alert alert-danger mt-3";
      box.setAttribute("role", "alert");
      var main = document.getElementById("main");
      if (main) main.prepend(box);
    }
    box.textContent = status === 403 ? "没有权限执行此操作。" :
      status === 404 ? "内容不存在或不在您的管辖范围内。" :
      "请求失败（" + status + "），请稍后重试。";
  });
  document.addEventListener("htmx:sendError", function () {
    var main = document.getElementById("main");
    if (main && !document.getElementById("htmx-offline")) {
      var box = document.createElement("div");
      box.id = "htmx-offline";
      box.className = "alert alert-warning mt-3";
      box.setAttribute("role", "alert");
      box.textContent = "网络连接中断，页面将在恢复后继续更新。";
      main.prepend(box);
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      var offline = document.getElementById("htmx-offline");
      if (offline) offline.remove();
    }
  });

  document.addEventListener("DOMContentLoaded", function () { initCharts(document); });
  document.addEventListener("htmx:load", function (event) { initCharts(event.target); });
  window.HNApp = { initCharts: initCharts };
})();
