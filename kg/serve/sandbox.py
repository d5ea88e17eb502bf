"""Confine a SPARQL worker process once its store is loaded: no sockets (nor new files), bounded memory.

The query engine (pyoxigraph) would evaluate ``SERVICE <url>`` by fetching ``url``. Rather
than trusting any reading of the query text to spot it, a worker gives up the ability to
open anything at all before it sees its first query: every descriptor but standard
input, output and error is closed, and ``RLIMIT_NOFILE`` is lowered to three, so the
process cannot create a socket (or open a file) whatever the query asks — the attempt
fails with ``EMFILE``. Its address space is capped at what it uses after loading plus a
budget (``RLIMIT_AS``), so a query that would grow without end makes the allocation fail
and the process end instead of the machine swapping; the pool replaces it.

A worker over an on-disk store (:mod:`kg.serve.storecache`) cannot give up opening files:
the store opens its table files as queries need them. Its sockets are denied instead, by a
seccomp filter on the system calls that make one (:func:`confine_on_disk`; Linux on x86-64
and arm64; elsewhere the workers load their store into memory as before).

Linux and other POSIX systems only (the ``resource`` module). Call it after every import
the worker needs: after it, no module file can be opened either.
"""
from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import struct
import sys

STDIO = 3  # descriptors 0, 1 and 2 stay open


def address_space() -> int:
    """Bytes of address space this process maps now (``VmSize``), or 0 if unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def confine(memory_budget: int | None) -> None:
    """No descriptors beyond stdio from now on; address space at most now + ``memory_budget`` bytes."""
    _cap_memory(memory_budget)
    os.closerange(STDIO, _max_fd())
    resource.setrlimit(resource.RLIMIT_NOFILE, (STDIO, STDIO))


def confine_on_disk(memory_budget: int | None, store: str) -> None:
    """For a worker that reads an on-disk store, which opens its files as queries need them:
    no socket from now on (a seccomp filter, :func:`deny_sockets`), every descriptor but stdio
    and the store's closed, and the address space capped as by :func:`confine`."""
    if not deny_sockets():
        raise OSError("cannot deny sockets here (Linux on x86-64 or arm64 only)")
    _cap_memory(memory_budget)
    keep = sorted(fd for fd in open_under(store) if fd >= STDIO)
    start = STDIO
    for fd in keep + [_max_fd()]:
        os.closerange(start, fd)
        start = fd + 1


def _cap_memory(memory_budget: int | None) -> None:
    if memory_budget:
        limit = address_space() + memory_budget
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def open_under(folder: str) -> frozenset[int]:
    """The descriptors of this process open on files in ``folder`` (Linux: ``/proc/self/fd``)."""
    prefix = os.path.realpath(folder) + os.sep
    found = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith(prefix):
                found.add(int(name))
        except (OSError, ValueError):
            continue
    return frozenset(found)


# seccomp: the audit architecture and the system calls that make a socket (socket, and
# io_uring_setup, whose rings can make one too), per machine
_SYSCALLS = {"x86_64": (0xC000003E, (41, 425)), "aarch64": (0xC00000B7, (198, 425))}
_X32 = 0x40000000  # x86-64's x32 calls: numbers from here, refused too


def can_deny_sockets() -> bool:
    return sys.platform.startswith("linux") and platform.machine() in _SYSCALLS


def deny_sockets() -> bool:
    """Install a seccomp filter that fails ``socket(2)`` (and ``io_uring_setup``) with
    ``EACCES`` in this process from now on (and ``PR_SET_NO_NEW_PRIVS``). False where unsupported."""
    if not can_deny_sockets():
        return False
    audit, calls = _SYSCALLS[platform.machine()]
    load, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, refuse = 0x7FFF0000, 0x00050000 | errno.EACCES
    tests = ([(jge, _X32)] if platform.machine() == "x86_64" else []) + [(jeq, c) for c in calls]
    prog = [(load, 0, 0, 4), (jeq, 1, 0, audit), (ret, 0, 0, refuse), (load, 0, 0, 0)]
    for i, (op, k) in enumerate(tests):
        prog.append((op, len(tests) - i, 0, k))  # to the refusal, past the remaining tests and the allow
    prog += [(ret, 0, 0, allow), (ret, 0, 0, refuse)]
    code = b"".join(struct.pack("HBBI", *ins) for ins in prog)
    buffer = ctypes.create_string_buffer(code, len(code))

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        return False
    program = Program(len(prog), ctypes.cast(buffer, ctypes.c_void_p))
    return libc.prctl(22, 2, ctypes.byref(program), 0, 0) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER


def _max_fd() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if 0 < soft < 1 << 20 else 1 << 16
