// Live preview (report serve): reload when a new build is published, keep the reader's place,
// and show a failed build as an overlay over the last good page. Added to served pages only.
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = Number(script && script.dataset.generation || 0);
  var endpoint = (script && script.src || "/__litbuild/reload.js").replace(/reload\.js.*$/, "");
  var key = "litbuild-scroll:" + location.pathname;

  // Back to where the reader was before the reload.
  try {
    var saved = JSON.parse(sessionStorage.getItem(key) || "null");
    if (saved) {
      sessionStorage.removeItem(key);
      // The page may still grow after "load" (images, fonts, search UI): keep putting the reader
      // back for a moment, until they are there or scroll themselves.
      var until = Date.now() + 3000, moved = false;
      ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (name) {
        window.addEventListener(name, function () { moved = true; }, { once: true, passive: true });
      });
      var restore = function () {
        if (moved) { return; }
        window.scrollTo(saved[0], saved[1]);
        if (Math.abs(window.scrollY - saved[1]) > 2 && Date.now() < until) {
          setTimeout(restore, 100);
        }
      };
      restore();
      window.addEventListener("load", restore);
    }
  } catch (e) { /* storage unavailable: start at the top */ }

  function reload() {
    try { sessionStorage.setItem(key, JSON.stringify([window.scrollX, window.scrollY])); }
    catch (e) { /* ignore */ }
    // A page that the new build no longer has (a deleted chapter): go to the book's start.
    fetch(location.pathname, { method: "HEAD", cache: "no-store" }).then(function (r) {
      if (r.ok) { location.reload(); } else { location.href = endpoint.replace(/__litbuild\/$/, ""); }
    }, function () { location.reload(); });
  }

  function overlay(error) {
    var box = document.getElementById("litbuild-error");
    if (!error) {
      if (box) { box.remove(); }
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "litbuild-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(255,255,255,0.97);color:#222;padding:2rem;font:15px/1.5 sans-serif";
      document.body.appendChild(box);
    }
    var where = error.file ? error.file + (error.line ? ":" + error.line : "") : "the build";
    box.innerHTML = "";
    var title = document.createElement("h2");
    title.style.cssText = "margin:0 0 .5rem;color:#b00020;font-size:1.2rem";
    title.textContent = "Build failed: " + where;
    var file = document.createElement("p");
    file.className = "litbuild-error-where";
    file.textContent = "File: " + (error.file || "unknown") +
      (error.line ? ", line " + error.line : "");
    var message = document.createElement("pre");
    message.className = "litbuild-error-message";
    message.style.cssText = "white-space:pre-wrap;background:#f6f6f6;padding:1rem;border-radius:4px";
    message.textContent = error.message;
    var note = document.createElement("p");
    note.textContent = "The page below is the last good build. Fix the source and save: " +
      "this page updates by itself.";
    box.append(title, file, message, note);
  }

  var source = new EventSource(endpoint + "events");
  source.addEventListener("status", function (event) {
    var status = JSON.parse(event.data);
    overlay(status.error);
    if (!status.error && status.generation !== shown) { reload(); }
  });
})();
