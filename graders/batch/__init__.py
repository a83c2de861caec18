"""Batch grading for instructors: a class at a time, resumable, exported, reported."""
