// The ledger's filters fold behind one button on a phone: the <details> is open in the HTML
// (so without JavaScript, and on a desktop, the filters are simply shown) and closed here when
// the screen is as narrow as a phone's.
(function () {
  "use strict";
  var fold = document.querySelector("details.filters-fold");
  if (fold && window.matchMedia("(max-width: 760px)").matches) {
    fold.removeAttribute("open");
  }
})();
