"""Packaging for the platforms courses use: each module has `build(spec, output, ...)`.

- gradescope: an autograder zip (setup.sh, run_autograder) and the code that runs inside it;
- student_kit: what students download: template, public checks, the CLI in student mode;
- otter: an otter-grader assignment whose tests call dlgrade.
"""


class BuildError(Exception):
    """A package that cannot be built; the message says what is wrong and what to do."""
