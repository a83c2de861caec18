"""Hypothesis strategies per question family, reaching the edges the course cares about."""
