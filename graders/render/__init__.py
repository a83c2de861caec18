"""Renderers: pure functions from a Report to text. Each output format is a thin adapter."""
