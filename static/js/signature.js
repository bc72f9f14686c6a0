/* Signature pads for the inspection record: draw with a finger, pen or mouse on <canvas data-signature-for="ID">;
   the drawing is written as a PNG data URL into the hidden input #ID when a stroke ends. "Clear" writes "clear",
   which removes a saved signature. No inline script (CSP script-src 'self'). */
(function () {
  "use strict";

  function setup(canvas) {
    var input = document.getElementById(canvas.getAttribute("data-signature-for"));
    if (!input) return;
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var dirty = false;
    var last = null;

    function resize() {
      // Backing store in device pixels; keep it modest so the PNG stays small (server cap: 4 Mpx, 512 KB).
      var ratio = Math.min(window.devicePixelRatio || 1, 2);
      var rect = canvas.getBoundingClientRect();
      var width = Math.max(1, Math.round(rect.width * ratio));
      var height = Math.max(1, Math.round(rect.height * ratio));
      if (canvas.width === width && canvas.height === height) return;
      canvas.width = width;
      canvas.height = height;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.4;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      if (dirty) { input.value = ""; dirty = false; }  // a resize wipes the drawing
    }

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      last = point(event);
      if (canvas.setPointerCapture) { try { canvas.setPointerCapture(event.pointerId); } catch (e) { /* ignore */ } }
      ctx.beginPath();
      ctx.arc(last.x, last.y, 1.1, 0, Math.PI * 2);
      ctx.fillStyle = "#111";
      ctx.fill();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      last = p;
      dirty = true;
    });
    function end() {
      if (!drawing) return;
      drawing = false;
      dirty = true;
      input.value = canvas.toDataURL("image/png");
      canvas.classList.add("is-signed");
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("pointerleave", end);

    document.querySelectorAll('[data-signature-clear="' + input.id + '"]').forEach(function (button) {
      button.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        dirty = false;
        input.value = "clear";
        canvas.classList.remove("is-signed");
      });
    });

    resize();
    window.addEventListener("resize", resize);
  }

  function init() {
    document.querySelectorAll("canvas[data-signature-for]").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
