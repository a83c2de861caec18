"""Instructor reference solutions for the Deep Learning Foundations self-check."""
