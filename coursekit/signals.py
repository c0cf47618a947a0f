"""CourseKit's extension points: blinker signals a host (or CourseKit itself) can connect to."""

from blinker import Namespace

_signals = Namespace()

# Sent with sender=the user id and keyword arguments session and course, after a trainee's
# work changed (a lesson read, a check submitted, a role-play finished), inside no transaction.
progress_changed = _signals.signal("coursekit.progress-changed")
# Sent with sender=the certificate, after it was issued (once per trainee and course).
certificate_issued = _signals.signal("coursekit.certificate-issued")
