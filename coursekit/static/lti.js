// LTI pages. Progressive: each page also works without this file, by its button or link.
(function () {
  // A deep-linking answer: post the signed form back to the LMS at once.
  var answer = document.querySelector("form[data-lti-autosubmit]");
  if (answer) answer.submit();

  // After a launch: go on if this frame kept CourseKit's cookie; otherwise say so, and point
  // to the new-window link (browsers that block cookies in frames).
  var launched = document.querySelector("[data-lti-launched]");
  if (launched) {
    fetch(launched.getAttribute("data-session-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.signed_in) {
          window.location.replace(launched.getAttribute("data-continue-url"));
        } else {
          var note = document.getElementById("lti-blocked");
          if (note) note.hidden = false;
        }
      })
      .catch(function () { /* the Continue button still works */ });
  }

  // Dynamic registration done: ask the LMS to close its dialog (LTI-DR 3.6.2).
  var done = document.querySelector("[data-lti-close]");
  if (done) {
    var lms = window.opener || (window.parent !== window ? window.parent : null);
    if (lms) lms.postMessage({ subject: "org.imsglobal.lti.close" }, done.getAttribute("data-lti-close") || "*");
  }
})();
