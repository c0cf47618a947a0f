// Progressive enhancement only: every page works without this file.
// A form marked data-once sends one request: a second submit (a double-click) is dropped,
// and its buttons are disabled once the browser has read the clicked button's value
// (disabling them at once would leave that value out of the request).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-once")) return;
  if (form.dataset.sent) { event.preventDefault(); return; }
  form.dataset.sent = "1";
  setTimeout(function () {
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("disabled", ""); });
  }, 0);
});
// Coming back with the browser's Back button shows the page from its cache: let it be used again.
window.addEventListener("pageshow", function (event) {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    delete form.dataset.sent;
    form.querySelectorAll("button[disabled]").forEach(function (b) { b.removeAttribute("disabled"); });
  });
});
