// Rectify page helpers: mermaid diagrams, image previews before upload, the dashboard chart.
(function () {
  "use strict";
  var mermaidOptions = { securityLevel: "strict", theme: "neutral" };
  if (window.mermaid) {
    window.mermaid.initialize(Object.assign({ startOnLoad: true }, mermaidOptions));
  }
  // A diagram folded in <details data-mermaid-src>: the 3 MB library loads only when opened.
  document.querySelectorAll("details[data-mermaid-src]").forEach(function (box) {
    box.addEventListener("toggle", function () {
      if (!box.open || box.dataset.drawn) { return; }
      box.dataset.drawn = "1";
      var draw = function () {
        window.mermaid.initialize(Object.assign({ startOnLoad: false }, mermaidOptions));
        window.mermaid.run({ nodes: box.querySelectorAll("pre.mermaid") });
      };
      if (window.mermaid) { draw(); return; }
      var script = document.createElement("script");
      script.src = box.dataset.mermaidSrc;
      script.onload = draw;
      document.head.appendChild(script);
    });
  });
  // A field's inputs (files chosen, photos taken) share one preview box: it shows them all.
  document.querySelectorAll("input[type=file][data-preview]").forEach(function (input) {
    input.addEventListener("change", function () {
      var box = document.getElementById(input.dataset.preview);
      if (!box) { return; }
      box.textContent = "";
      var inputs = document.querySelectorAll("input[type=file][data-preview='" + input.dataset.preview + "']");
      var files = [];
      inputs.forEach(function (each) { files = files.concat(Array.prototype.slice.call(each.files)); });
      files.forEach(function (file) {
        if (file.type.indexOf("image/") === 0) {
          var img = document.createElement("img");
          img.src = URL.createObjectURL(file);
          img.alt = file.name;
          box.appendChild(img);
        } else {
          var span = document.createElement("span");
          span.textContent = "📄 " + file.name;
          box.appendChild(span);
        }
      });
    });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  var data = document.getElementById("chart-data");
  var canvas = document.getElementById("unit-chart");
  if (data && canvas && window.Chart) {
    var d = JSON.parse(data.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: d.units, datasets: [
        { label: d.labels.open, data: d.open, backgroundColor: "#5b8def" },
        { label: d.labels.overdue, data: d.overdue, backgroundColor: "#e05252" },
        { label: d.labels.confirmed, data: d.confirmed, backgroundColor: "#3aa471" }
      ] },
      options: { responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
  // The statistics' trends: one line per figure over the weeks or months of the period.
  var trendData = document.getElementById("trend-data");
  var trendCanvas = document.getElementById("trend-chart");
  if (trendData && trendCanvas && window.Chart) {
    var t = JSON.parse(trendData.textContent);
    var colours = ["#5b8def", "#f0a030", "#3aa471", "#9b59b6", "#7f8c8d"];
    new window.Chart(trendCanvas, {
      type: "line",
      data: { labels: t.labels, datasets: t.series.map(function (s, i) {
        return { label: s.label, data: s.data, borderColor: colours[i % colours.length],
                 backgroundColor: colours[i % colours.length], tension: 0.2 };
      }) },
      options: { responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
})();
