"""CourseKit's extension points: blinker signals a host (or CourseKit itself) can connect to."""

from blinker import Namespace

_signals = Namespace()

# Sent with sender=the user id and keyword arguments session and course, after a trainee's
# work changed (a lesson read, a check submitted, a role-play finished), inside no transaction.
progress_changed = _signals.signal("coursekit.progress-changed")
# Sent with sender=the certificate, after it was issued (once per trainee and course).
certificate_issued = _signals.signal("coursekit.certificate-issued")

# Learning events (xAPI statements are built from them), each sent after its transaction
# committed, with keyword argument session:
# sender=user id; course_id, launch_id (unique per launch): the trainee arrived from an LMS.
course_launched = _signals.signal("coursekit.course-launched")
# sender=user id; course_id, module_id: a lesson was marked read (again: harmless).
lesson_completed = _signals.signal("coursekit.lesson-completed")
# sender=the CheckAttempt; course, module, result (domain.quiz.CheckResult).
check_submitted = _signals.signal("coursekit.check-submitted")
# sender=the new RoleplayAttempt; course.
roleplay_started = _signals.signal("coursekit.roleplay-started")
# sender=the RoleplayAttempt; course, play (the Playthrough after the step, maybe at its
# ending: the attempt is scored then, or once the trainee has tagged what they uncovered).
roleplay_step_taken = _signals.signal("coursekit.roleplay-step-taken")
# sender=the RoleplayAttempt, now scored; course, play, result (domain.roleplay.Result).
roleplay_finished = _signals.signal("coursekit.roleplay-finished")
