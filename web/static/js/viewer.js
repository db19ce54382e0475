// The evidence lightbox: a thumbnail (a.viewer-image) opens its photo in the <dialog id=viewer>;
// arrows, the on-screen buttons and a swipe move between the page's photos, Escape closes, focus
// is kept inside and goes back to the thumbnail. Without this script a thumbnail opens the file.
(function () {
  "use strict";
  var dialog = document.getElementById("viewer");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var img = document.getElementById("viewer-img");
  var caption = document.getElementById("viewer-caption");
  var count = dialog.querySelector(".viewer-count");
  var links = [], current = 0, opener = null, touchX = null;

  function photos() {  // each file once, in page order (it may be in before/after and the timeline)
    var seen = {};
    return Array.prototype.filter.call(document.querySelectorAll("a.viewer-image"), function (a) {
      if (seen[a.href]) { return false; }
      seen[a.href] = true;
      return true;
    });
  }
  function show(index) {
    current = (index + links.length) % links.length;
    var link = links[current];
    img.src = link.href;
    img.alt = link.title;
    caption.textContent = link.title;
    count.textContent = (current + 1) + " / " + links.length;
    dialog.dataset.index = String(current);
    dialog.querySelectorAll(".viewer-prev, .viewer-next").forEach(function (b) {
      b.hidden = links.length < 2;
    });
  }
  function open(link) {
    links = photos();
    opener = link;
    show(links.findIndex(function (a) { return a.href === link.href; }));
    dialog.showModal();
    dialog.querySelector(".viewer-close").focus();
  }
  function focusables() {
    return Array.prototype.filter.call(dialog.querySelectorAll("button"), function (b) {
      return !b.hidden;
    });
  }
  function trapTab(event) {  // Tab and Shift+Tab go round the dialog's buttons
    var items = focusables(), at = items.indexOf(document.activeElement);
    event.preventDefault();
    if (at < 0) { at = event.shiftKey ? 0 : -1; }
    items[(at + (event.shiftKey ? -1 : 1) + items.length) % items.length].focus();
  }
  function keepFocus() {  // a PDF preview loading behind the dialog may take the focus
    if (dialog.open && !dialog.contains(document.activeElement)) {
      dialog.querySelector(".viewer-close").focus();
    }
  }
  document.addEventListener("focusin", keepFocus);
  window.addEventListener("blur", function () { setTimeout(keepFocus, 0); });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.viewer-image");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    open(link);
  });
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight") { event.preventDefault(); show(current + 1); }
    else if (event.key === "ArrowLeft") { event.preventDefault(); show(current - 1); }
    else if (event.key === "Tab") { trapTab(event); }
  });
  dialog.querySelector(".viewer-prev").addEventListener("click", function () { show(current - 1); });
  dialog.querySelector(".viewer-next").addEventListener("click", function () { show(current + 1); });
  dialog.querySelector(".viewer-close").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("click", function (event) {  // a click on the backdrop closes
    if (event.target === dialog) { dialog.close(); }
  });
  dialog.addEventListener("close", function () {  // Escape (the dialog's cancel) lands here too
    img.removeAttribute("src");
    if (opener) { opener.focus(); }
  });
  dialog.addEventListener("touchstart", function (event) {
    touchX = event.changedTouches[0].clientX;
  }, { passive: true });
  dialog.addEventListener("touchend", function (event) {
    if (touchX === null) { return; }
    var dx = event.changedTouches[0].clientX - touchX;
    touchX = null;
    if (Math.abs(dx) > 40) { show(current + (dx < 0 ? 1 : -1)); }  // swipe left: the next photo
  });
})();
