"""Public checks, one module per question family; they ship to students.

Hidden checks live in `graders.hidden` with the same module names.
"""
