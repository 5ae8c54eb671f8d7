// The counter screen: a keyboard-first combobox for the procedure, the component checklist
// loaded for it, the fee recomputed with the quantity, and the applicant found by ID number.
(function () {
  "use strict";
  var form = document.querySelector(".counter-form");
  if (!form) return;
  var input = document.getElementById("procedure-search");
  var list = document.getElementById("procedure-options");
  var hidden = document.getElementById("id_procedure");
  var checklist = document.getElementById("checklist");
  var quantity = document.getElementById("id_quantity");
  var active = -1, options = [], timer = null;

  function render(results) {
    list.innerHTML = "";
    options = results;
    results.forEach(function (r, i) {
      var li = document.createElement("li");
      li.id = "procedure-option-" + i;
      li.setAttribute("role", "option");
      li.textContent = r.name + " (" + r.code + ")";
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
      list.appendChild(li);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    highlight(results.length ? 0 : -1);
  }
  function highlight(i) {
    active = i;
    Array.prototype.forEach.call(list.children, function (li, j) {
      li.setAttribute("aria-selected", j === i ? "true" : "false");
    });
    if (i >= 0) input.setAttribute("aria-activedescendant", "procedure-option-" + i);
    else input.removeAttribute("aria-activedescendant");
  }
  function choose(i) {
    var r = options[i];
    if (!r) return;
    hidden.value = r.code;
    input.value = r.name;
    render([]);
    loadChecklist();
    var next = document.getElementById("id_id_number");
    if (next) next.focus();
  }
  function loadChecklist() {
    if (!hidden.value) return;
    var url = form.dataset.checklistUrl + "&code=" + encodeURIComponent(hidden.value) +
      "&so_luong=" + encodeURIComponent(quantity.value || 1);
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { checklist.innerHTML = html; });
  }
  input.addEventListener("input", function () {
    hidden.value = "";
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (!q) { render([]); return; }
      fetch(form.dataset.searchUrl + "&q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.json(); }).then(function (d) { render(d.results || []); });
    }, 120);
  });
  input.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, options.length - 1)); }
    else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
    else if (e.key === "Enter") { e.preventDefault(); choose(active); }
    else if (e.key === "Escape") { render([]); }
  });
  quantity.addEventListener("change", loadChecklist);

  var idNumber = document.getElementById("id_id_number");
  idNumber.addEventListener("change", function () {
    var digits = idNumber.value.replace(/\D/g, "");
    if (digits.length < 9) return;
    fetch(form.dataset.applicantUrl + "?so=" + digits, { credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(function (d) {
        var status = document.getElementById("applicant-found");
        if (!d.found) { status.textContent = ""; return; }
        ["name", "phone", "email", "address"].forEach(function (k) {
          var field = document.getElementById("id_" + k);
          if (field && !field.value) field.value = d.applicant[k] || "";
        });
        document.getElementById("id_applicant_kind").value = d.applicant.kind;
        status.textContent = status.dataset.found || "Đã điền theo hồ sơ trước.";
      });
  });

  // Drag-and-drop onto a component's row adds the files to its input.
  form.addEventListener("dragover", function (e) {
    if (e.target.closest && e.target.closest(".dropzone")) e.preventDefault();
  });
  form.addEventListener("drop", function (e) {
    var zone = e.target.closest && e.target.closest(".dropzone");
    if (!zone) return;
    e.preventDefault();
    var field = zone.querySelector("input[type=file]");
    var data = new DataTransfer();
    Array.prototype.forEach.call(field.files, function (f) { data.items.add(f); });
    Array.prototype.forEach.call(e.dataTransfer.files, function (f) { data.items.add(f); });
    field.files = data.files;
  });
})();
