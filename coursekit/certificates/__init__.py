"""Completion certificates: issued once when the rule is met, verified publicly, revocable."""
