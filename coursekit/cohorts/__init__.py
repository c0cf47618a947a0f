"""Cohorts: instructors' groups of trainees, joined by code, tracked on a dashboard."""
