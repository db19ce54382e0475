// The ledger's bulk bar: only the chosen action's fields are shown and sent, "select all on
// this page" ticks every row, and the actions list offers only what fits one selected row (a
// hint: the server decides). Without JavaScript every field is shown and the server checks.
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form) { return; }
  var trigger = document.getElementById("bulk-trigger");
  var all = document.getElementById("bulk-all");
  var count = document.getElementById("bulk-count");
  var rows = document.querySelectorAll("input[name=finding][form=bulk-form]");
  form.removeAttribute("novalidate");

  function showFields() {
    form.querySelectorAll("fieldset.bulk-fields").forEach(function (set) {
      var chosen = set.getAttribute("data-action") === trigger.value;
      set.hidden = !chosen;
      set.disabled = !chosen;
    });
  }

  function refresh() {
    var possible = {}, checked = 0;
    rows.forEach(function (box) {
      if (!box.checked) { return; }
      checked += 1;
      box.getAttribute("data-actions").split(" ").forEach(function (a) { possible[a] = true; });
    });
    Array.prototype.forEach.call(trigger.options, function (option) {
      option.disabled = option.value !== "" && checked > 0 && !possible[option.value];
    });
    all.checked = checked > 0 && checked === rows.length;
    count.textContent = form.getAttribute("data-count").replace("%d", checked);
  }

  trigger.addEventListener("change", showFields);
  all.addEventListener("change", function () {
    rows.forEach(function (box) { box.checked = all.checked; });
    refresh();
  });
  rows.forEach(function (box) { box.addEventListener("change", refresh); });
  showFields();
  refresh();
})();
