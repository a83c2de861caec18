"""The trust boundary: the child that runs student code, and the parent that talks to it."""
