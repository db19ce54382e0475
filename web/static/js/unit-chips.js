// The chosen units of a several-unit picker (partials/unit_picker.html, unit_picker_multi):
// a unit picked (the picker's "unit-picked" event) becomes a chip with a hidden input and a
// "Remove <name>" button; removing one moves the focus to the next chip's button, or the box.
(function () {
  "use strict";

  function format(text, name) { return text.replace("%(name)s", name); }

  function Chips(root) {
    var self = this;
    this.root = root;
    this.list = root.querySelector(".unit-chips");
    this.box = root.querySelector(".unit-picker-box");
    this.status = document.createElement("span");
    this.status.className = "visually-hidden";
    this.status.setAttribute("aria-live", "polite");
    root.appendChild(this.status);
    root.addEventListener("unit-picked", function (e) { self.add(e.detail); });
    this.list.addEventListener("click", function (e) {
      var button = e.target.closest(".unit-chip-remove");
      if (button) { e.preventDefault(); self.remove(button.closest(".unit-chip")); }
    });
  }

  Chips.prototype.chosen = function (id) {
    return Array.prototype.some.call(this.list.querySelectorAll("input[type=hidden]"),
      function (input) { return input.value === String(id); });
  };

  Chips.prototype.add = function (unit) {
    var d = this.root.dataset;
    if (this.chosen(unit.id)) { this.say(format(d.added, unit.name)); return; }
    var li = document.createElement("li"), input = document.createElement("input");
    var label = document.createElement("span"), code = document.createElement("small");
    var button = document.createElement("button");
    li.className = "unit-chip";
    input.type = "hidden";
    input.name = d.multi;
    input.value = String(unit.id);
    label.textContent = unit.name + " ";
    code.className = "muted";
    code.textContent = unit.code;
    label.appendChild(code);
    button.type = "button";
    button.className = "unit-chip-remove";
    button.textContent = "×";
    button.title = format(d.remove, unit.name);
    button.setAttribute("aria-label", button.title);
    li.append(input, label, " ", button);
    this.list.appendChild(li);
    this.say(format(d.added, unit.name));
  };

  Chips.prototype.remove = function (li) {
    var next = li.nextElementSibling || li.previousElementSibling;
    var name = li.querySelector("span").firstChild.textContent.trim();
    li.remove();
    (next ? next.querySelector(".unit-chip-remove") : this.box).focus();
    this.say(format(this.root.dataset.removed, name));
  };

  Chips.prototype.say = function (text) { this.status.textContent = text; };

  document.querySelectorAll(".unit-picker[data-multi]").forEach(function (root) { new Chips(root); });
})();
