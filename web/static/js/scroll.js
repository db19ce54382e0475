// A table or diagram wider than the screen scrolls sideways in its own box; such a box takes the
// keyboard focus (tabindex="0") so it can be scrolled without a mouse (WCAG 2.1.1). Boxes that
// fit stay out of the tab order. Checked again whenever a box changes size (diagrams draw late).
(function () {
  "use strict";
  var SCROLLERS = "table.plain, pre.mermaid, .table-wrap";
  function mark(box) {
    if (box.scrollWidth > box.clientWidth) { box.setAttribute("tabindex", "0"); }
    else if (box.getAttribute("tabindex") === "0") { box.removeAttribute("tabindex"); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var watch = window.ResizeObserver && new ResizeObserver(function (entries) {
      entries.forEach(function (entry) { mark(entry.target); });
    });
    document.querySelectorAll(SCROLLERS).forEach(function (box) {
      mark(box);
      if (watch) { watch.observe(box); }
    });
  });
})();
