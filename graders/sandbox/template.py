"""The warm template: a jailed Python that has imported NumPy once and forks a fresh child for
each submission, so a batch pays for starting Python and NumPy once per worker, not per child.

It runs inside bubblewrap like any child (`python -I -B -S -c <wire.py + child.py + this
file>`) and never runs a byte of a submission itself. For each submission it forks; the fork
(`enter`) leaves everything the template shares behind before the submission's first byte:

- new user, mount, PID, IPC, UTS, network and cgroup namespaces of its own;
- a fresh size-capped tmpfs on /scratch, /tmp and /dev/shm (what is bound below /tmp, a
  virtual environment under /tmp say, is bound again on the new /tmp); the root and /dev
  read-only; this submission's copy and inbox bound read-only, and the slot folders they
  came from covered by an empty read-only tmpfs;
- a second fork, PID 1 of the new PID namespace, with a /proc of its own (the template and
  every earlier child are not there to see, signal or trace); no further user namespaces
  (as bubblewrap's --disable-userns), no capabilities, no new privileges, the child's
  rlimits; only its three pipes open.

Killing that PID 1 ends everything the submission started. The first fork waits for it and
ends with its status (128 + N for signal N, as bubblewrap reports it); the template tells the
grader, then waits for the next request. The grader (graders.sandbox.warm) sends each
request with the child's three pipe ends attached (SCM_RIGHTS) on a socket only it holds.
"""

import array
import ctypes
import json
import os
import resource
import socket
import sys
import traceback

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID = 0x08000000, 0x10000000, 0x20000000
CLONE_NEWNET = 0x40000000
NAMESPACES = (
    CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET
) | CLONE_NEWCGROUP
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND = 32, 1024, 2048, 4096
MS_REC, MS_PRIVATE, MS_RELATIME, MS_STRICTATIME = 16384, 1 << 18, 1 << 21, 1 << 24
# A remount inside a user namespace must keep the flags the mount was locked with.
KEPT_FLAGS = {
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
    "strictatime": MS_STRICTATIME,
}
PR_SET_NO_NEW_PRIVS = 38
CAPABILITY_VERSION_3 = 0x20080522
FRESH = ("/scratch", "/tmp", "/dev/shm")  # noqa: S108 - each child's own, new and empty
REPLY_FD = 3  # where the child's reply pipe is, as `python -c <child> 3` would have it
MESSAGE_BYTES = 1 << 16
LIBC = ctypes.CDLL(None, use_errno=True)
# The C prototypes, so that each argument goes as the type the kernel reads (flags are longs).
LIBC.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
LIBC.unshare.argtypes = [ctypes.c_int]
LIBC.capset.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
LIBC.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4


def checked(result: int, what: str) -> None:
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")


def mount(source: str | None, target: str, kind: str | None, flags: int, data: str = "") -> None:
    def raw(text: str | None) -> bytes | None:
        return text.encode() if text is not None else None

    checked(LIBC.mount(raw(source), raw(target), raw(kind), flags, raw(data or None)), target)


def mount_table() -> list[tuple[str, set[str], str]]:
    """(mount point, options, file system type) of every mount this process sees, in mount
    order (one covered by another is listed too, before it)."""
    table = []
    with open("/proc/self/mountinfo") as lines:
        for line in lines:
            fields = line.split()
            point = fields[4].encode().decode("unicode_escape")  # \040 for a space, and so on
            kind = fields[fields.index("-", 6) + 1]
            table.append((point, set(fields[5].split(",")), kind))
    return table


def kept_flags(point: str) -> int:
    """The flags the mount at `point` has that a remount must keep."""
    options = next(options for where, options, _ in reversed(mount_table()) if where == point)
    return sum(flag for name, flag in KEPT_FLAGS.items() if name in options)


def read_only(point: str) -> None:
    mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags(point))


def fresh_tmpfs(point: str, size: int) -> None:
    """A new, empty tmpfs on `point`, keeping whatever is mounted below it (bound again)."""
    below = [where for where, _, _ in mount_table() if where.startswith(f"{point}/")]
    tops = [p for p in below if not any(p.startswith(f"{q}/") for q in below)]
    handles = [(where, os.open(where, os.O_PATH)) for where in dict.fromkeys(tops)]
    mount("tmpfs", point, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=0755")
    for where, handle in handles:
        os.makedirs(where, exist_ok=True)
        # The folder as it was (a read-only bind, with its own mounts) through its handle.
        mount(f"/proc/self/fd/{handle}", where, None, MS_BIND | MS_REC)
        os.close(handle)


def unshared(namespaces: int, uid: int, gid: int) -> None:
    """Enter new `namespaces` (a user namespace among them), keeping the uid and gid we have
    (mapped to themselves, nothing else mapped)."""
    checked(LIBC.unshare(namespaces), "unshare")
    maps = (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1"))
    for name, text in maps:  # in this order: gid_map is refused before setgroups is denied
        with open(f"/proc/self/{name}", "w") as file:
            file.write(text)


def private_files(request: dict) -> None:
    """The child's own file system: fresh tmpfs, its submission, nothing of another's."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount propagates back
    for point in FRESH:
        fresh_tmpfs(point, int(request["tmpfs_bytes"]))
    mount(request["submission"], "/submission", None, MS_BIND | MS_REC)
    mount(request["inbox"], "/inbox", None, MS_BIND | MS_REC)
    for point in ("/submission", "/inbox"):
        read_only(point)
    mount("tmpfs", "/slots", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k")
    # Every other writable tmpfs is the template's, so every child's: the root, /dev, and the
    # empty folders that cover what the track hides. Each child gets them read-only.
    table = mount_table()
    shared = [where for where, options, kind in table if kind == "tmpfs" and "rw" in options]
    for where in dict.fromkeys(shared):
        if where not in FRESH:
            read_only(where)
    os.chdir("/scratch")  # the working folder was the template's /scratch, now covered


def no_privileges(limits: list[list[int]]) -> None:
    """As PID 1 of the new namespace: its /proc, no more user namespaces, no capabilities, no
    new privileges, the child's rlimits."""
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    # bubblewrap's --disable-userns: allow one more user namespace below ours, and take it.
    with open("/proc/sys/user/max_user_namespaces", "w") as file:
        file.write("1")
    unshared(CLONE_NEWUSER, os.getuid(), os.getgid())
    header = (ctypes.c_uint32 * 2)(CAPABILITY_VERSION_3, 0)
    checked(LIBC.capset(header, (ctypes.c_uint32 * 6)()), "capset")
    checked(LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    for number, soft, hard in limits:
        resource.setrlimit(number, (soft, hard))


def only_pipes(fds: list[int]) -> None:
    """Keep the child's stdin, output and reply pipes as fds 0, 1 (and 2) and 3; close all
    else (the template's socket above all)."""
    high = [os.dup(fd) for fd in fds]  # out of the way of 0 to 3 first
    stdin, output, reply = high
    for fd, target in ((stdin, 0), (output, 1), (output, 2), (reply, REPLY_FD)):
        os.dup2(fd, target)
    os.closerange(REPLY_FD + 1, 1 << 16)


def child(request: dict, fds: list[int]) -> None:
    """PID 1 of the new namespace: lock down, then be the child (never returns)."""
    code = 1
    try:
        no_privileges(request["rlimits"])
        only_pipes(fds)
        sys.argv[1:] = [f"{REPLY_FD}"]  # as a fresh child's: `python -c <child> 3`
        if not request.get("probe"):
            Child(REPLY_FD).serve()  # noqa: F821 - child.py, inlined before this file
        code = 0
    except BaseException:  # as a fresh child's Python would: the traceback on its stderr
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)


def enter(request: dict, fds: list[int], status: int) -> None:
    """The fork for one submission: leave the template's world, fork PID 1, wait for it and
    end with its status; `status` hears its pid or why it could not start (never returns)."""
    try:
        unshared(NAMESPACES, os.getuid(), os.getgid())
        private_files(request)
        pid = os.fork()
        if pid == 0:
            os.close(status)
            child(request, fds)
        for fd in fds:
            os.close(fd)
        os.write(status, f"pid {pid}".encode())
        os.close(status)
    except BaseException as error:  # anything at all: the grader hears it, no child runs
        os.write(status, f"error {type(error).__name__}: {error}"[:2000].encode())
        os._exit(1)
    while True:
        try:
            _, code = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    os._exit(128 + os.WTERMSIG(code) if os.WIFSIGNALED(code) else os.WEXITSTATUS(code))


def send(control: socket.socket, message: dict) -> None:
    control.send(json.dumps(message).encode())


def receive(control: socket.socket) -> tuple[dict | None, list[int]]:
    """The grader's next request and the fds it carries; (None, []) once it has gone."""
    fds = array.array("i")
    data, ancillary, _, _ = control.recvmsg(MESSAGE_BYTES, socket.CMSG_SPACE(3 * fds.itemsize))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
    return (json.loads(data) if data else None), list(fds)


def fork_one(control: socket.socket, request: dict, fds: list[int]) -> None:
    """Fork the child of one request; tell the grader its pid (or why not), then its end."""
    status_r, status_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        control.close()
        os.close(status_r)
        enter(request, fds, status_w)
    os.close(status_w)
    for fd in fds:
        os.close(fd)
    said = b""
    while chunk := os.read(status_r, 4096):
        said += chunk
    os.close(status_r)
    word, _, rest = said.decode(errors="replace").partition(" ")
    if word == "pid":
        send(control, {"op": "forked", "pid": int(rest)})
    else:
        send(control, {"op": "failed", "error": rest or "the fork ended before it said why"})
    _, code = os.waitpid(pid, 0)
    send(control, {"op": "ended", "code": os.waitstatus_to_exitcode(code)})


def serve_forks(control_fd: int) -> None:
    """Say ready (NumPy is imported), then fork a child per request until the grader goes."""
    control = socket.socket(fileno=control_fd)
    send(control, {"op": "ready", "ok": True})
    while True:
        request, fds = receive(control)
        if request is None:
            return
        fork_one(control, request, fds)


if __name__ == "__main__":
    serve_forks(int(sys.argv[1]))
