// "In" buttons: the page prints itself. A file of its own because the pages' policy allows no
// inline script (Content-Security-Policy).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
