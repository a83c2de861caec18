"""Datasets the grader loads itself (never from a submission): MNIST in IDX format."""
