// The inspection form: once a unit and a date are chosen, show other bodies' inspections of
// that unit or its parent nearby (the page's own warning, fetched as HTML from the server).
(function () {
  const form = document.getElementById('inspection-form');
  const box = document.getElementById('overlaps');
  if (!form || !box) return;
  function refresh() {
    const unit = form.elements.unit_id.value, day = form.elements.inspected_on.value;
    if (!unit || !day) { box.innerHTML = ''; return; }
    const url = box.dataset.source + '?' + new URLSearchParams({unit_id: unit, inspected_on: day});
    fetch(url, {credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.text() : ''; })
      .then(function (html) { box.innerHTML = html; });
  }
  form.elements.unit_id.addEventListener('change', refresh);
  form.elements.inspected_on.addEventListener('change', refresh);
})();
