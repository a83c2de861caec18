"""The uid level's start-up check, run as the sandbox uid under its seccomp filter.

The parent runs `python -I -S -c <this file>` with the child's own pre-exec hook (the uid
dropped, the filter loaded) and sends on stdin a JSON list of [path, is_folder] pairs: every
file and folder the child must not reach. This prints one JSON object: the ids it runs
with, whether an AF_INET socket opened, and the indices of the paths it reached (a folder
it could list or create a file in, a file it could open for reading). Like the child
program, it imports nothing of the grader.
"""

import json
import os
import socket
import sys


def reached(path: str, is_folder: bool) -> bool:
    """True when this uid can list or write to the folder, or open the file for reading."""
    if not is_folder:
        try:
            os.close(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK))
        except OSError:
            return False
        return True
    try:
        os.listdir(path)
    except OSError:
        pass
    else:
        return True
    probe = os.path.join(path, f".dlgrade-probe-{os.getpid()}")
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
    except OSError:
        return False
    os.unlink(probe)
    return True


def network() -> bool:
    """True when an AF_INET socket opens (the filter should refuse it)."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except OSError:
        return False
    return True


paths = json.load(sys.stdin)
print(
    json.dumps(
        {
            "uid": os.getuid(),
            "gid": os.getgid(),
            "groups": os.getgroups(),
            "network": network(),
            "reached": [i for i, (path, is_folder) in enumerate(paths) if reached(path, is_folder)],
        }
    )
)
