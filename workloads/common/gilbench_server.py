"""Runs a workload's TCP server in one of its architectures (stdlib only, Python 3.8+).

A server program defines one function per architecture, serve(sock, args, accepted), that counts
accepted connections in place (one slot per worker), and calls
main(). This module binds 127.0.0.1 port 0, raises the open-file limit as far as allowed,
prints {"event": "ready", "port": N, ...} once the socket listens, and on SIGTERM stops the
server, reaps what it started and prints one {"event": "done", ...} line: the accept counts
(one per prefork worker) and the CPU it used. Anything else a program says goes to stderr.
A program that needs more may pass prepare(sock, args), run once the socket listens and before the
ready line (helper processes, calibration), and finish(), run once the server has stopped and
before the done line, which returns fields of its own for that line.
"""
import json
import os
import resource
import signal
import socket
import sys

from gilbench_task import parse_args, reap_forkserver, usage
from probe import facts


class Stop(Exception):
    """Raised in the main thread by SIGTERM: the server's loops end through their finally blocks."""


def _stop(signum, frame):
    raise Stop()


def raise_open_file_limit():
    """Each connection is a file descriptor; the memory sweep holds thousands of them."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def say(event, **fields):
    sys.stdout.write(json.dumps(dict(event=event, **fields)) + "\n")
    sys.stdout.flush()


def main(servers, params, prepare=None, finish=None):
    args = parse_args(params, tuple(servers))
    nofile = raise_open_file_limit()
    signal.signal(signal.SIGTERM, _stop)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(socket.SOMAXCONN)
    accepted = [0]
    if prepare:
        prepare(sock, args)
    say("ready", port=sock.getsockname()[1], pid=os.getpid(), nofile=nofile)
    try:
        servers[args.mode](sock, args, accepted)
    except Stop:
        pass
    finally:
        sock.close()
    extra = finish() if finish else {}
    reap_forkserver()
    say("done",
        mode=args.mode,
        workers=args.workers,
        params={name: getattr(args, name) for name in params},
        accepted=list(accepted),
        rusage_total={"self": usage(resource.RUSAGE_SELF), "children": usage(resource.RUSAGE_CHILDREN)},
        pid=os.getpid(),
        start_method=sys.modules["multiprocessing"].get_start_method()
        if "multiprocessing" in sys.modules else None,
        python=facts(),
        **extra)
