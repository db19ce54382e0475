// The unit picker (partials/unit_picker.html): turns the code box into a WAI-ARIA combobox
// that searches the units a purpose offers (type-ahead) and browses the tree one level at a
// time; the hidden input keeps the chosen unit's id. Without script the box takes a code.
// A several-unit picker (data-multi) has no hidden input of its own: a pick is announced as a
// "unit-picked" event on the picker (unit-chips.js keeps the chosen units) and the box empties.
(function () {
  "use strict";
  var DELAY = 150; // ms after the last key before asking the server

  function format(text, name) { return text.replace("%(name)s", name).replace("%(n)s", name); }

  function Picker(root, index) {
    this.root = root;
    this.multi = Boolean(root.dataset.multi);
    this.value = this.multi ? { value: "" } : root.querySelector("input[type=hidden]");
    this.box = root.querySelector(".unit-picker-box");
    this.hint = root.querySelector(".unit-picker-hint");
    this.items = [];
    this.active = -1;
    this.trail = []; // the units opened while browsing, top first
    this.timer = null;
    this.request = 0;
    this.build(index);
  }

  Picker.prototype.build = function (index) {
    var d = this.root.dataset, box = this.box, self = this;
    var listId = (box.id || "unit-picker-" + index) + "-list";
    box.removeAttribute("name"); // the hidden id is what the form sends now
    box.value = d.label;
    box.placeholder = d.any || "";
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", listId);
    this.hint.textContent = "";
    this.list = document.createElement("ul");
    this.list.id = listId;
    this.list.className = "unit-picker-list";
    this.list.setAttribute("role", "listbox");
    this.list.hidden = true;
    this.status = document.createElement("span");
    this.status.className = "visually-hidden";
    this.status.setAttribute("aria-live", "polite");
    this.browseButton = document.createElement("button");
    this.browseButton.type = "button";
    this.browseButton.className = "unit-picker-browse";
    this.browseButton.textContent = "☰";
    this.browseButton.title = d.browse;
    this.browseButton.setAttribute("aria-label", d.browse);
    box.insertAdjacentElement("afterend", this.browseButton);
    this.root.appendChild(this.list);
    this.root.appendChild(this.status);
    box.addEventListener("input", function () { self.typed(); });
    box.addEventListener("keydown", function (e) { self.key(e); });
    box.addEventListener("focus", function () { if (!box.value) { self.search(""); } });
    box.addEventListener("blur", function () { setTimeout(function () { self.blurred(); }, 200); });
    this.browseButton.addEventListener("click", function () {
      box.focus(); // first: focusing an empty box lists the recent units, the tree replaces them
      self.trail = [];
      self.open(null);
    });
    this.list.addEventListener("mousedown", function (e) { e.preventDefault(); }); // keep focus
    this.list.addEventListener("click", function (e) { self.clicked(e); });
  };

  Picker.prototype.typed = function () {
    var self = this;
    this.value.value = ""; // text changed: no unit chosen until one is picked
    this.hint.textContent = "";
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.search(self.box.value.trim()); }, DELAY);
  };

  Picker.prototype.search = function (text) {
    this.trail = [];
    this.load("&q=" + encodeURIComponent(text));
  };

  Picker.prototype.open = function (unit) {
    if (unit) { this.trail.push(unit); }
    this.opened = "&parent=" + (unit ? unit.id : "");
    this.load(this.opened);
  };

  Picker.prototype.load = function (query, more) {
    var self = this, ticket = ++this.request;
    fetch(this.root.dataset.url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (ticket === self.request) { self.show(data.units || [], data.errors, data.next_offset, more); }
      })
      .catch(function () { self.say(self.root.dataset.failed); });
  };

  // units: the answer; next: the offset of the children not sent yet (a "more" item loads
  // them); more: the answer continues the list shown (the "more" item was picked).
  Picker.prototype.show = function (units, errors, next, more) {
    var d = this.root.dataset, self = this, back = null, first = 0;
    if (this.trail.length) {
      var above = this.trail[this.trail.length - 2];
      back = { back: true, name: above ? format(d.up, above.name) : d.top };
    }
    var kept = more ? this.items.filter(function (unit) { return !unit.more; }) : (back ? [back] : []);
    first = more ? kept.length : 0;
    this.items = kept.concat(units);
    if (next !== null && next !== undefined) { this.items.push({ more: true, offset: next, name: d.more }); }
    this.list.textContent = "";
    this.items.forEach(function (unit, i) { self.list.appendChild(self.option(unit, i)); });
    if (!units.length) {
      var empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = errors ? Object.values(errors).join(" ") : d.none;
      this.list.appendChild(empty);
    }
    this.list.hidden = false;
    this.box.setAttribute("aria-expanded", "true");
    this.highlight(this.items.length ? first : -1);
    this.say(format(d.count, String(units.length)));
  };

  Picker.prototype.option = function (unit, i) {
    var d = this.root.dataset, li = document.createElement("li"), name = document.createElement("span");
    li.id = this.list.id + "-" + i;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    li.dataset.index = String(i);
    name.className = "unit-picker-name";
    name.textContent = unit.back ? "↑ " + unit.name : unit.name;
    li.appendChild(name);
    if (unit.back || unit.more) { li.className = unit.back ? "unit-picker-back" : "unit-picker-more"; return li; }
    if (!unit.selectable) { li.className = "unit-picker-through"; } // picking it opens it
    var meta = document.createElement("small");
    meta.className = "muted";
    meta.textContent = [unit.code, unit.path, unit.recent ? d.recent : ""].filter(Boolean).join(" · ");
    li.appendChild(meta);
    if (unit.has_children) {
      var more = document.createElement("button");
      more.type = "button";
      more.tabIndex = -1;
      more.className = "unit-picker-open";
      more.textContent = "›";
      more.setAttribute("aria-label", format(d.open, unit.name));
      li.appendChild(more);
    }
    return li;
  };

  Picker.prototype.clicked = function (e) {
    var li = e.target.closest("li[role=option]");
    if (!li) { return; }
    var i = Number(li.dataset.index);
    if (e.target.closest(".unit-picker-open")) { this.open(this.items[i]); } else { this.choose(i); }
  };

  Picker.prototype.key = function (e) {
    var open = !this.list.hidden, unit = this.items[this.active];
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!open) { this.search(this.value.value ? "" : this.box.value.trim()); return; }
      var step = e.key === "ArrowDown" ? 1 : -1, n = this.items.length;
      if (n) { this.highlight((this.active + step + n) % n); }
    } else if (e.key === "Enter" && open) {
      e.preventDefault(); // picking a unit never submits the form
      if (this.active >= 0) { this.choose(this.active); }
    } else if (e.key === "Escape" && open) {
      e.preventDefault();
      this.close();
    } else if (e.key === "ArrowRight" && open && unit && unit.has_children) {
      e.preventDefault();
      this.open(unit);
    } else if (e.key === "ArrowLeft" && open && this.trail.length) {
      e.preventDefault();
      this.up();
    }
  };

  Picker.prototype.up = function () {
    this.trail.pop();
    var parent = this.trail.pop() || null;
    this.open(parent);
  };

  Picker.prototype.highlight = function (i) {
    var options = this.list.querySelectorAll("li[role=option]");
    options.forEach(function (li, k) { li.setAttribute("aria-selected", k === i ? "true" : "false"); });
    this.active = i;
    if (i >= 0 && options[i]) {
      this.box.setAttribute("aria-activedescendant", options[i].id);
      options[i].scrollIntoView({ block: "nearest" });
    } else {
      this.box.removeAttribute("aria-activedescendant");
    }
  };

  Picker.prototype.choose = function (i) {
    var unit = this.items[i];
    if (!unit) { return; }
    if (unit.back) { this.up(); return; }
    if (unit.more) { this.load(this.opened + "&offset=" + unit.offset, true); return; }
    if (!unit.selectable) { if (unit.has_children) { this.open(unit); } return; }
    if (this.multi) {
      this.box.value = "";
      this.close();
      this.root.dispatchEvent(new CustomEvent("unit-picked", { detail: unit }));
      return;
    }
    this.value.value = String(unit.id);
    this.box.value = unit.name;
    this.hint.textContent = [unit.code, unit.path].filter(Boolean).join(" · ");
    this.close();
    this.value.dispatchEvent(new Event("change", { bubbles: true }));
  };

  Picker.prototype.close = function () {
    this.list.hidden = true;
    this.box.setAttribute("aria-expanded", "false");
    this.box.removeAttribute("aria-activedescendant");
    this.active = -1;
  };

  Picker.prototype.blurred = function () {
    if (document.activeElement === this.box) { return; }
    this.close();
    if (!this.value.value) { this.box.value = ""; } // only a picked unit stays in the box
  };

  Picker.prototype.say = function (text) { this.status.textContent = text || ""; };

  document.querySelectorAll(".unit-picker").forEach(function (root, i) { new Picker(root, i); });
})();
