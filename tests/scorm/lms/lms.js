// The test LMS's runtime: a scorm-again API configured from the query string (learner,
// scaled passing score from the manifest), committing to this server's /commit, and a log
// of the API calls the package made.
(function () {
  "use strict";
  var q = new URLSearchParams(location.search);
  var settings = { lmsCommitUrl: "/commit", autocommit: false, logLevel: 5 };
  var events = (window.lmsEvents = []);
  var api;
  if (q.get("version") === "2004") {
    api = new Scorm2004API(settings);
    api.cmi.learner_id = q.get("learner");
    api.cmi.learner_name = q.get("name");
    if (q.get("passing")) api.cmi.scaled_passing_score = q.get("passing");
    ["Initialize", "Commit", "Terminate"].forEach(function (name) {
      api.on(name, function () { events.push(name); });
    });
    window.API_1484_11 = api;
  } else {
    api = new Scorm12API(settings);
    api.cmi.core.student_id = q.get("learner");
    api.cmi.core.student_name = q.get("name");
    ["LMSInitialize", "LMSCommit", "LMSFinish"].forEach(function (name) {
      api.on(name, function () { events.push(name); });
    });
    window.API = api;
  }
  document.getElementById("sco").src = "/package/" + q.get("launch");
})();
