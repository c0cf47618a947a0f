// The SCORM player: after each CourseKit page loads in the frame, fetch the learner's status
// for this package (course or module) and post it to the package page, addressed to the
// origin it was launched from so that no other page can read it.
(function () {
  "use strict";
  var body = document.body;
  var statusUrl = body.getAttribute("data-status-url");
  var targetOrigin = body.getAttribute("data-target-origin");
  var page = document.getElementById("coursekit-page");
  if (window.parent === window || !targetOrigin) return; // not inside a package

  function report() {
    fetch(statusUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status) {
          window.parent.postMessage({ type: "coursekit:scorm-status", version: 1, status: status }, targetOrigin);
        }
      })
      .catch(function () { /* offline for a moment: the next page load reports again */ });
  }

  page.addEventListener("load", report);
  report();
})();
