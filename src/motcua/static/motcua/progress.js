// A page that follows work in progress (a signing batch) reloads itself until the work is
// done: the server renders each state; no script is needed to read it.
(function () {
  var el = document.querySelector("[data-poll-seconds]");
  if (!el || el.hasAttribute("data-done")) return;
  var seconds = parseFloat(el.getAttribute("data-poll-seconds")) || 2;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
