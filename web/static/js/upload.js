// Evidence uploads from a phone. Before a form with files goes, each photo over SMALL bytes or
// MAX_SIDE px is drawn again at most MAX_SIDE px on its longest side as a JPEG (EXIF orientation
// respected) when that is smaller; GIFs, PDFs and small photos go unchanged. The same multipart
// form (CSRF token and all) is then sent with XMLHttpRequest to show its progress, and the answer
// replaces the page. The server checks every file as it does without this script.
(function () {
  "use strict";
  var MAX_SIDE = 2048, QUALITY = 0.85, SMALL = 300 * 1024;
  if (!window.FormData || !window.XMLHttpRequest || !window.createImageBitmap || !window.Promise) { return; }

  function shrinkable(file) {
    return file instanceof File && file.size > 0 && /^image\//.test(file.type) && file.type !== "image/gif";
  }
  function encode(bitmap, width, height) {
    if (window.OffscreenCanvas) {
      var off = new OffscreenCanvas(width, height), ctx = off.getContext("2d");
      ctx.imageSmoothingQuality = "high";
      ctx.drawImage(bitmap, 0, 0, width, height);
      return off.convertToBlob({ type: "image/jpeg", quality: QUALITY });
    }
    var canvas = document.createElement("canvas");
    canvas.width = width; canvas.height = height;
    canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
    return new Promise(function (done) { canvas.toBlob(done, "image/jpeg", QUALITY); });
  }
  function shrink(file) {  // -> the smaller of the file and its redrawn JPEG
    if (!shrinkable(file)) { return Promise.resolve(file); }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var side = Math.max(bitmap.width, bitmap.height);
      if (side <= MAX_SIDE && file.size <= SMALL) { bitmap.close(); return file; }
      var scale = Math.min(1, MAX_SIDE / side);
      var width = Math.round(bitmap.width * scale), height = Math.round(bitmap.height * scale);
      return encode(bitmap, width, height).then(function (blob) {
        bitmap.close();
        if (!blob || blob.size >= file.size) { return file; }
        var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
        return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
      });
    }).catch(function () { return file; });  // a type the browser cannot draw: the server judges it
  }
  function shrinkAll(data, names) {  // the same entries in the same order, photos shrunk
    return Promise.all(names.map(function (name) {
      var values = data.getAll(name);
      data.delete(name);
      return Promise.all(values.map(shrink)).then(function (shrunk) {
        shrunk.forEach(function (value) {
          if (value instanceof File) { data.append(name, value, value.name); } else { data.append(name, value); }
        });
      });
    })).then(function () { return data; });
  }
  function progressBar(form, input) {
    var box = document.createElement("div"), bar = document.createElement("progress");
    var text = document.createElement("span");
    box.className = "upload-progress";
    bar.max = 100; bar.value = 0;
    text.id = (form.id || "form") + "-progress-text";
    text.setAttribute("role", "status");
    bar.setAttribute("aria-labelledby", text.id);
    text.textContent = input.dataset.preparing || "";
    box.appendChild(bar); box.appendChild(text);
    var button = form.querySelector("button[type=submit], button:not([type])");
    form.insertBefore(box, button);
    return { box: box, bar: bar, text: text, button: button };
  }
  function replacePage(xhr) {
    history.replaceState(null, "", xhr.responseURL);
    document.open();
    document.write(xhr.responseText);
    document.close();
  }
  function send(form, data, ui, input) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) { return; }
      var percent = Math.round(100 * event.loaded / event.total);
      ui.bar.value = percent;
      ui.text.textContent = (input.dataset.uploading || "") + " " + percent + "%";
    });
    xhr.addEventListener("load", function () { replacePage(xhr); });
    xhr.addEventListener("error", function () {
      ui.text.textContent = input.dataset.uploadFailed || "";
      ui.button.disabled = false;
      delete form.dataset.sending;
    });
    xhr.send(data);
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var inputs = Array.prototype.filter.call(form.querySelectorAll("input[type=file]"), function (i) {
      return i.files && i.files.length;
    });
    var marked = form.querySelector("input[type=file][data-shrink]");
    if (event.defaultPrevented || !marked || !inputs.length || form.method.toLowerCase() !== "post") { return; }
    event.preventDefault();
    if (form.dataset.sending) { return; }
    form.dataset.sending = "1";
    var ui = progressBar(form, marked);
    if (ui.button) { ui.button.disabled = true; }
    var names = inputs.map(function (i) { return i.name; }).filter(function (n, at, all) { return all.indexOf(n) === at; });
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value); }
    shrinkAll(data, names).then(function (ready) { send(form, ready, ui, marked); });
  });
  // A photo taken stands in for a file chosen: the field's required input is then satisfied.
  document.querySelectorAll("input[data-camera-for]").forEach(function (camera) {
    var main = document.getElementById(camera.dataset.cameraFor);
    if (!main) { return; }
    var required = main.required;
    camera.addEventListener("change", function () { main.required = required && !camera.files.length; });
  });
})();
