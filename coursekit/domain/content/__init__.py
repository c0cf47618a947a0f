"""Course content: schemas, the validating loader and the frozen objects it returns."""

from .errors import ContentError, Problem
from .loader import load_course
from .model import LANGUAGES, Course, KnowledgeCheck, Lesson, Module

__all__ = [
    "LANGUAGES",
    "ContentError",
    "Course",
    "KnowledgeCheck",
    "Lesson",
    "Module",
    "Problem",
    "load_course",
]
