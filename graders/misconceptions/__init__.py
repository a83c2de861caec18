"""Known wrong implementations, by question family: the course's bugs and pitfalls as code.

When a student's function agrees with one of these on a family's diagnostic
inputs, the verdict names the mistake and gives its hint (from the spec).
"""
