// Progressive enhancement only: every page works without this file.
// A form marked data-once disables its submit button after the first submit, so a
// double-click sends one request (the server refuses a second one anyway).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-once")) return;
  if (form.dataset.sent) { event.preventDefault(); return; }
  form.dataset.sent = "1";
  form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("disabled", ""); });
});
