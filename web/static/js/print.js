// The printable document page: the Print button opens the browser's print dialog.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("button.print-button");
    if (button) { button.addEventListener("click", function () { window.print(); }); }
  });
})();
