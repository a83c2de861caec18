"""dlgrade: a fast, sandboxed autograder for the Deep Learning Foundations unit."""
