/* 海宁市食品安全监管平台 — the main menu's groups (templates/common/_main_nav.html). No inline scripts (CSP).
 *
 * Each group of several entries is a <details> disclosure, which opens and closes without this file. This adds:
 * - at ≥ 992 px (a dropdown row): one group open at a time; Escape closes it and returns focus to its title;
 *   a click outside it, or Tab past its last entry, closes it;
 * - at < 992 px (the collapsed menu): every group open, as a section listing its entries;
 * - aria-expanded on each group title, kept in step with its state.
 */
(function () {
  "use strict";

  var narrow = window.matchMedia("(max-width: 991.98px)");

  function groups() {
    return Array.prototype.slice.call(document.querySelectorAll(".app-nav-details"));
  }

  function sync(details) {
    var summary = details.querySelector("summary");
    if (summary) summary.setAttribute("aria-expanded", details.open ? "true" : "false");
  }

  function closeAll(except) {
    groups().forEach(function (details) {
      if (details !== except && details.open) details.open = false;
    });
  }

  var laidOutNarrow = null;

  function layout() {
    if (laidOutNarrow === narrow.matches) return; // only when the width crosses the breakpoint
    laidOutNarrow = narrow.matches;
    groups().forEach(function (details) {
      details.open = narrow.matches; // sections on a phone, closed dropdowns on a desk
      sync(details);
    });
  }

  function init() {
    groups().forEach(function (details) {
      details.addEventListener("toggle", function () {
        sync(details);
        if (details.open && !narrow.matches) closeAll(details);
      });
      details.addEventListener("focusout", function (event) {
        if (narrow.matches || !details.open) return;
        if (event.relatedTarget && !details.contains(event.relatedTarget)) details.open = false;
      });
    });
    layout();
  }

  document.addEventListener("click", function (event) {
    if (narrow.matches) return;
    var inside = event.target instanceof Element ? event.target.closest(".app-nav-details") : null;
    closeAll(inside);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || narrow.matches) return;
    var open = groups().filter(function (details) { return details.open; });
    if (!open.length) return;
    var focused = document.activeElement;
    open.forEach(function (details) {
      details.open = false;
      if (focused && details.contains(focused)) details.querySelector("summary").focus();
    });
  });

  if (narrow.addEventListener) narrow.addEventListener("change", layout);
  else if (narrow.addListener) narrow.addListener(layout); // older Safari / WebView
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
