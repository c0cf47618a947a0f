/* CourseKit SCORM dispatch launcher, for SCORM 1.2 and SCORM 2004.
 *
 * 1. Finds the LMS's API object (API for 1.2, API_1484_11 for 2004) with the discovery
 *    algorithm of the SCORM run-time specification, and initialises it.
 * 2. Reads the learner's id and name and posts them, with the package's signed credential,
 *    to CourseKit in the frame: CourseKit checks the credential, signs the learner in and
 *    shows the course or module.
 * 3. Believes status messages only from CourseKit's origin and from that frame, writes them
 *    to the LMS (never lowering a status the LMS already holds) and commits; on completion,
 *    and when the page goes away, it commits and finishes.
 * Written for old browsers too (no build step): LMS players live a long time.
 */
(function () {
  "use strict";

  var MESSAGE_TYPE = "coursekit:scorm-status";
  var body = document.body;
  var version = body.getAttribute("data-scorm-version") === "2004" ? "2004" : "1.2";
  var coursekitOrigin = body.getAttribute("data-coursekit-origin");
  var frame = document.getElementById("ck-frame");
  var form = document.getElementById("ck-launch");
  var startedAt = new Date().getTime();
  var lms = null;
  var finished = false;
  var written = {}; // element -> value last written, so that only changes are committed

  function show(id) {
    var notes = document.querySelectorAll(".ck-note");
    for (var i = 0; i < notes.length; i++) notes[i].hidden = notes[i].id !== id;
  }

  // ---- API discovery (SCORM RTE: walk up the parents, then the opener's) ----
  // The depth limits are the specification's sample values: 7 levels for 1.2, 500 for 2004.
  var MAX_DEPTH = version === "2004" ? 500 : 7;
  var API_NAME = version === "2004" ? "API_1484_11" : "API";

  function apiIn(win) {
    try {
      return win[API_NAME] || null;
    } catch (e) {
      return null; // a window of another origin on the way: it cannot be ours
    }
  }

  function scan(win) {
    for (var depth = 0; win && depth <= MAX_DEPTH; depth++) {
      var api = apiIn(win);
      if (api) return api;
      if (!win.parent || win.parent === win) return null;
      win = win.parent;
    }
    return null;
  }

  function findApi() {
    var api = scan(window);
    if (!api && window.opener) api = scan(window.opener);
    if (!api) {
      try {
        if (window.top.opener) api = scan(window.top.opener);
      } catch (e) {
        api = null;
      }
    }
    return api;
  }

  // ---- One face for both versions ----
  function connect(api) {
    var v12 = version === "1.2";
    var call = function (name12, name2004) {
      var args = Array.prototype.slice.call(arguments, 2);
      return String(api[v12 ? name12 : name2004].apply(api, args));
    };
    return {
      v12: v12,
      init: function () { return call("LMSInitialize", "Initialize", "") === "true"; },
      get: function (key) { return call("LMSGetValue", "GetValue", key); },
      set: function (key, value) { return call("LMSSetValue", "SetValue", key, String(value)) === "true"; },
      commit: function () { return call("LMSCommit", "Commit", "") === "true"; },
      finish: function () { return call("LMSFinish", "Terminate", "") === "true"; },
      keys: v12
        ? { id: "cmi.core.student_id", name: "cmi.core.student_name",
            language: "cmi.student_preference.language", exit: "cmi.core.exit",
            time: "cmi.core.session_time" }
        : { id: "cmi.learner_id", name: "cmi.learner_name",
            language: "cmi.learner_preference.language", exit: "cmi.exit",
            time: "cmi.session_time" }
    };
  }

  // ---- Statuses: never take back a completion or a pass the LMS already holds ----
  var FINAL = { completed: true, passed: true };
  var current = {}; // element -> value the LMS holds

  function raise(key, value) {
    if (FINAL[current[key]] && !FINAL[value]) return;
    put(key, value);
  }

  function put(key, value) {
    value = String(value);
    if (written[key] === value) return;
    if (lms.set(key, value)) {
      written[key] = value;
      current[key] = value;
      changed = true;
    }
  }
  var changed = false;

  function lessonStatus(status) {
    // SCORM 1.2 has one status for both questions; passed and failed imply an attempt.
    if (status.success === "failed") return "failed";
    if (status.completion === "completed") return status.success === "passed" ? "passed" : "completed";
    return "incomplete";
  }

  function report(status) {
    changed = false;
    var score = status.score;
    if (lms.v12) {
      if (score) {
        put("cmi.core.score.min", score.min);
        put("cmi.core.score.max", score.max);
        put("cmi.core.score.raw", score.raw);
      }
      raise("cmi.core.lesson_status", lessonStatus(status));
    } else {
      if (score) {
        put("cmi.score.min", score.min);
        put("cmi.score.max", score.max);
        put("cmi.score.raw", score.raw);
        put("cmi.score.scaled", score.scaled);
      }
      put("cmi.progress_measure", status.progress);
      raise("cmi.completion_status", status.completion);
      raise("cmi.success_status", status.success);
    }
    if (changed) lms.commit();
    if (status.completion === "completed") {
      finish(false);
      show("ck-saved");
    }
  }

  // ---- Finishing: on completion, and when the page goes away before it ----
  function pad(n, width) {
    var s = String(n);
    while (s.length < width) s = "0" + s;
    return s;
  }

  function sessionTime() {
    var seconds = Math.max(0, (new Date().getTime() - startedAt) / 1000);
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    if (lms.v12) return pad(Math.min(h, 9999), 2) + ":" + pad(m, 2) + ":" + pad(s.toFixed(2), 5);
    return "PT" + h + "H" + m + "M" + s.toFixed(2) + "S";
  }

  function finish(suspend) {
    if (finished || !lms) return;
    finished = true;
    lms.set(lms.keys.time, sessionTime());
    // suspend: the LMS keeps this attempt, and the next launch continues it.
    lms.set(lms.keys.exit, suspend ? "suspend" : lms.v12 ? "" : "normal");
    lms.commit();
    lms.finish();
  }

  // ---- Messages from CourseKit ----
  function number(value, min, max) {
    return typeof value === "number" && isFinite(value) && value >= min && value <= max;
  }

  function validStatus(data) {
    if (!data || typeof data !== "object" || data.type !== MESSAGE_TYPE || data.version !== 1) return null;
    var s = data.status;
    if (!s || typeof s !== "object") return null;
    if (s.completion !== "completed" && s.completion !== "incomplete") return null;
    if (s.success !== "passed" && s.success !== "failed" && s.success !== "unknown") return null;
    if (!number(s.progress, 0, 1)) return null;
    if (s.score !== null) {
      var c = s.score;
      if (!c || !number(c.min, 0, 100) || !number(c.max, c.min, 100) || !number(c.raw, c.min, c.max)) return null;
      if (!number(c.scaled, -1, 1)) return null;
    }
    return s;
  }

  function onMessage(event) {
    if (event.origin !== coursekitOrigin || event.source !== frame.contentWindow) {
      if (event.data && event.data.type === MESSAGE_TYPE) {
        console.warn("CourseKit SCORM: ignored a status message from " + event.origin);
      }
      return;
    }
    var status = validStatus(event.data);
    if (!status) {
      console.warn("CourseKit SCORM: ignored a malformed status message");
      return;
    }
    if (!finished) report(status);
  }

  // ---- Start ----
  var api = findApi();
  if (!api) {
    show("ck-no-lms");
    return;
  }
  lms = connect(api);
  if (!lms.init()) {
    show("ck-lms-error");
    lms = null;
    return;
  }
  var statusKeys = lms.v12 ? ["cmi.core.lesson_status"] : ["cmi.completion_status", "cmi.success_status"];
  for (var i = 0; i < statusKeys.length; i++) current[statusKeys[i]] = lms.get(statusKeys[i]);
  // Mark the attempt as started: an LMS shows "not attempted" until a SCO says otherwise.
  var held = current[statusKeys[0]];
  if (!held || held === "not attempted" || held === "unknown") {
    put(statusKeys[0], "incomplete");
    lms.commit();
  }

  window.addEventListener("message", onMessage);
  window.addEventListener("pagehide", function () { finish(true); });
  window.addEventListener("beforeunload", function () { finish(true); });

  form.elements.learner_id.value = lms.get(lms.keys.id);
  form.elements.learner_name.value = lms.get(lms.keys.name);
  form.elements.language.value = lms.get(lms.keys.language);
  show("ck-connecting");
  form.submit();
  frame.addEventListener("load", function () {
    document.getElementById("ck-connecting").hidden = true;
  });
})();
