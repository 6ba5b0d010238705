// litbuild site script: sidebar toggle, number links as one Tab stop per paragraph, search box.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".sidebar-toggle");
    var sidebar = document.getElementById("sidebar");
    if (toggle && sidebar) {
      toggle.addEventListener("click", function () {
        toggle.setAttribute("aria-expanded", String(sidebar.classList.toggle("open")));
      });
    }
    // A paragraph's number links share one Tab stop; Left/Right (and Home/End) move between them.
    document.addEventListener("keydown", function (event) {
      var link = event.target;
      if (!link.classList || !link.classList.contains("fact")) return;
      var block = link.closest("p, li, td, dd, figcaption") || link.parentNode;
      var links = Array.prototype.slice.call(block.querySelectorAll("a.fact"));
      var at = links.indexOf(link), to = -1;
      if (event.key === "ArrowRight") to = Math.min(at + 1, links.length - 1);
      else if (event.key === "ArrowLeft") to = Math.max(at - 1, 0);
      else if (event.key === "Home") to = 0;
      else if (event.key === "End") to = links.length - 1;
      if (to < 0 || to === at) return;
      event.preventDefault();
      link.setAttribute("tabindex", "-1");
      links[to].setAttribute("tabindex", "0");
      links[to].focus();
    });
    var search = document.getElementById("search");
    if (search && window.PagefindUI) {
      new window.PagefindUI({
        element: "#search", showSubResults: true, showImages: false, resetStyles: false,
        baseUrl: new URL(search.getAttribute("data-root") || "./", window.location.href).pathname,
        translations: { placeholder: "Search this book" }
      });
      var input = search.querySelector("input");
      if (input) input.setAttribute("aria-label", "Search this book");
    }
  });
})();
