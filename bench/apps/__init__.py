"""The baselines the load benchmarks compare CourseKit with, each a minimal Flask app."""
