"""Close the grader to other users, so that the `uid` level's sandbox uid cannot read it.

Where namespaces are forbidden (Gradescope's Docker), the submission runs as an unprivileged
uid that sees the file system as any other user does. This removes other users' access
(chmod -R go-rwx) to every folder the uid level checks at start: the grader's own folders
(graders/, reference/, assignments/, student_template/), in this copy and in any copy
installed in this Python's site folders, plus the paths given as arguments (Gradescope's
/autograder/source, say). Run it as root, after installing dlgrade:

    python tools/make_grader_private.py [PATH...]

The grader itself runs as root and still reads everything.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as `python tools/make_grader_private.py`: this copy's graders package is importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graders.sandbox.uidlevel import make_private, private_paths


def main() -> None:
    paths = [*private_paths(), *(Path(argument) for argument in sys.argv[1:])]
    make_private(paths)
    for path in paths:
        if path.exists():
            print(f"closed to other users: {path}")


if __name__ == "__main__":
    main()
