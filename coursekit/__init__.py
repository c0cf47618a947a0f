"""CourseKit: the workshop course on managing customer expectations, as a Flask plugin."""

from .app import create_app
from .extension import CourseKit

__all__ = ["CourseKit", "create_app"]
