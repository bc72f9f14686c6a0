/* The phone form of an inspection record: show the fields of the chosen outcome, take the location on request,
   confirm before finalising, and warn before leaving with unsaved changes. Also: the search box over the
   inspector checkboxes (flying inspection, assigning a task). */
(function () {
  "use strict";

  function init() {
    var form = document.getElementById("result-form");
    if (!form) return;

    // Outcome sections (责令整改 / 立案查处): only the chosen one is shown. Without JS all are visible.
    function syncOutcome() {
      var chosen = form.querySelector('input[name="outcome"]:checked');
      var value = chosen ? chosen.value : "";
      form.querySelectorAll("[data-outcome-section]").forEach(function (section) {
        section.hidden = section.getAttribute("data-outcome-section") !== value;
      });
    }
    form.querySelectorAll('input[name="outcome"]').forEach(function (radio) {
      radio.addEventListener("change", syncOutcome);
    });
    syncOutcome();

    // Location (optional): navigator.geolocation, written into hidden inputs.
    var status = document.getElementById("location-status");
    form.querySelectorAll("[data-geolocate]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (!navigator.geolocation) {
          status.textContent = "此设备不支持定位";
          return;
        }
        status.textContent = "正在定位…";
        navigator.geolocation.getCurrentPosition(function (pos) {
          var c = pos.coords;
          document.getElementById("latitude").value = c.latitude.toFixed(6);
          document.getElementById("longitude").value = c.longitude.toFixed(6);
          document.getElementById("location_accuracy_m").value = Math.round(c.accuracy || 0);
          status.textContent = "已定位：" + c.latitude.toFixed(5) + ", " + c.longitude.toFixed(5) +
            "（约 " + Math.round(c.accuracy || 0) + " 米）";
          dirty = true;
        }, function (err) {
          status.textContent = err && err.code === 1 ? "未获得定位权限（可不填）" : "无法获取定位（可不填）";
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    });

    // Confirm before finalising (the record becomes immutable).
    var submitting = false;
    form.querySelectorAll("[data-confirm-button]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.getAttribute("data-confirm-button"))) {
          event.preventDefault();
        }
      });
    });

    // Unsaved changes: warn before leaving the page.
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.querySelectorAll("canvas").forEach(function (c) { c.addEventListener("pointerup", function () { dirty = true; }); });
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }
  // A search box over a long list of checkboxes (the inspectors of a task): typing hides the options that do not
  // match; checked ones always stay visible. Without JS the box stays hidden and every option is shown.
  function initCheckFilters() {
    document.querySelectorAll("[data-filter-checks]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("data-filter-checks"));
      if (!list) return;
      var status = document.getElementById(input.getAttribute("data-filter-status") || "");
      var wrapper = input.closest("[hidden]");
      if (wrapper) wrapper.hidden = false;
      var options = Array.prototype.slice.call(list.querySelectorAll("input[type=checkbox]")).map(function (box) {
        var row = box.closest("div") || box.parentNode;
        return { box: box, row: row, text: (row.textContent || "").toLowerCase() };
      });
      function apply() {
        var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
        var shown = 0;
        options.forEach(function (o) {
          var match = words.every(function (w) { return o.text.indexOf(w) !== -1; });
          o.row.hidden = !(match || o.box.checked);
          if (!o.row.hidden) shown += 1;
        });
        var chosen = options.filter(function (o) { return o.box.checked; }).length;
        if (status) status.textContent = (words.length ? "显示 " + shown + " / " + options.length + " 人；" : "") + "已选 " + chosen + " 人";
      }
      input.addEventListener("input", apply);
      list.addEventListener("change", apply);
      apply();
    });
  }

  function start() {
    init();
    initCheckFilters();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
