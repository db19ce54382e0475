// The printable document page: the Print button opens the browser's print dialog. On the
// daily report, the record's fingerprint is fetched apart (it covers the whole record) into
// its footer; Print waits for it, so the paper carries it. Without JavaScript the footer's
// link shows the report with the fingerprint inline.
(function () {
  "use strict";
  function loadAnchor(footer) {
    return fetch(footer.dataset.anchorUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) { footer.innerHTML = html; })
      .catch(function () { /* the link stays: it shows the report with the fingerprint */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var footer = document.querySelector("footer[data-anchor-url]");
    var anchor = footer ? loadAnchor(footer) : Promise.resolve();
    var button = document.querySelector("button.print-button");
    if (button) {
      button.addEventListener("click", function () { anchor.then(function () { window.print(); }); });
    }
  });
})();
