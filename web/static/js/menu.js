// The phone menu: a real <button aria-expanded aria-controls> opens and closes the site menu.
// Loaded in <head> (not deferred) so the "js" class is set before the page paints: without
// JavaScript there is no such class, the button stays hidden and the menu is simply shown.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("button.menu-button[aria-controls]");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) { return; }
    button.addEventListener("click", function () {
      setOpen(button, button.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes an open menu and gives the focus back to its button.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") { return; }
      setOpen(button, false);
      button.focus();
    });
  });
})();
