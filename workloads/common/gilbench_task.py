"""Runs a workload's task in one of the concurrency modes (stdlib only, Python 3.8+).

The copies shape also runs on Python 2.7, the last interpreter with the old GIL: this file must
stay readable by it (the asyncio modes live in gilbench_async.py for that reason).

A workload program defines its task and calls main(). Two shapes:
- copies: W copies of task(**params), each in its own thread, process, coroutine or
  subinterpreter (the countdown: W equal CPU-bound tasks); with indexed=True, task(w, **params),
  an optional setup(**params) run once per worker before its clock starts, and an optional
  async_task awaited in the async mode (gilbench --task);
- pool: task(i, **params) for each of K items, with at most W in flight, through the
  standard pools (the fetch: K requests over W workers).
This module parses the arguments, runs the task, and prints exactly one JSON object on
stdout; anything else a program wants to say goes to stderr. A program with modes of its own
(what it costs to start W workers) hands measure() its mode table instead.
"""
import argparse
import functools
import json
import os
import resource
import signal
import sys
import threading
import time
import traceback
from collections import namedtuple

from probe import facts

try:
    from queue import Empty
except ImportError:  # Python 2.7
    from Queue import Empty

# --- dying with the harness -------------------------------------------------------------------
# The harness kills a run's whole tree when it stops, but a harness killed by SIGKILL stops nothing:
# then each process of the run must end by itself as soon as its parent is gone.

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _death_signal_from_kernel():
    """Asks Linux to SIGKILL this process when its parent dies; False where it cannot."""
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (ImportError, OSError, AttributeError):  # no ctypes, or not Linux
        return False


def _watch_parent(parent):
    def watch():
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    watcher = threading.Thread(target=watch, name="gilbench-parent-watch")
    watcher.daemon = True
    watcher.start()


# Set to the PID that asked: once per process (a subinterpreter imports this module again, and
# may neither load ctypes nor start a daemon thread), again in a child (a new PID).
_ASKED = "GILBENCH_DIES_WITH_PARENT"


def die_with_parent(parent):
    """Ends this process when `parent`, the process that started it, ends (or already has).

    False when this process had already asked."""
    if os.environ.get(_ASKED) == str(os.getpid()):
        return False
    os.environ[_ASKED] = str(os.getpid())
    if not _death_signal_from_kernel():
        _watch_parent(parent)
    if os.getppid() != parent:  # it died before the kernel was asked
        os._exit(1)
    return True


_forking = [None]  # the PID that forks: the parent its forked children must die with

# A forked child (multiprocessing's workers, anyone's) loses the death signal: it asks again.
# Python 2.7 has no such hook: its processes mode asks in each worker (_copy_in_process).
if die_with_parent(os.getppid()) and hasattr(os, "register_at_fork"):
    os.register_at_fork(before=lambda: _forking.__setitem__(0, os.getpid()),
                        after_in_child=lambda: die_with_parent(_forking[0]))


def multiprocessing_context(method=None):
    """multiprocessing (or one start method of it) whose forkserver, if it starts one, ends with us.

    The forkserver is exec'd, not forked: no death signal and no fork hook reaches it, so a harness
    killed by SIGKILL left it and the workers it forks alive. Preloading this module in it makes it
    ask as every process here does (3.11's forkserver ignores the sys.path it is given, hence
    PYTHONPATH). Forkserver is the default start method on Linux from Python 3.14.
    """
    import multiprocessing
    context = multiprocessing.get_context(method) if method else multiprocessing
    if hasattr(context, "set_forkserver_preload"):
        here = os.path.dirname(os.path.abspath(__file__))
        paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
        if here not in paths:
            os.environ["PYTHONPATH"] = os.pathsep.join(p for p in [here] + paths if p)
        context.set_forkserver_preload([__name__])
    return context


def reap_forkserver():
    """Stops and reaps multiprocessing's forkserver, if one was started, before rusage is read.

    Nobody waits for it until exit, so neither its CPU nor that of the workers it forked (its own
    children) reached RUSAGE_CHILDREN: a forkserver run's CPU went missing from its CPU util and
    showed up as other programs' (every worker-cost forkserver run was set aside as "busy machine").
    """
    forkserver = sys.modules.get("multiprocessing.forkserver")
    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)  # 3.8-3.13: private, not removed
    if stop is not None:
        stop()


# Python 2.7 has no perf_counter; time.time is what its users timed with.
clock = getattr(time, "perf_counter", time.time)

BASE_MODES = ("serial", "threads", "processes", "async")
COPY_MODES = BASE_MODES + ("subinterpreters",)
POOL_MODES = BASE_MODES + ("async-executor",)


def native_thread_id():
    get = getattr(threading, "get_native_id", None)
    if get is not None:
        return get()
    # Python 2.7: the kernel's thread id, as /proc and top show it.
    return int(os.readlink("/proc/thread-self").split("/")[-1])


def record(index, start, end, t0, result):
    return {"task": index, "pid": os.getpid(), "tid": native_thread_id(),
            "start_s": start - t0, "end_s": end - t0, "result": result}


def timed(task, args, params, index, t0):
    start = clock()
    result = task(*args, **params)
    return record(index, start, clock(), t0, result)


# --- copies: W copies of one task -------------------------------------------------------

class Copy(namedtuple("Copy", "task setup indexed async_task")):
    """One copy's work: setup(**params) once per worker, untimed; then task([w,] **params), timed
    (async_task(w, **params) instead, awaited, in the async mode when there is one).

    Module-level functions only: a process worker gets it pickled, a subinterpreter by name."""

    def prepare(self, params):
        if self.setup is not None:
            self.setup(**params)

    def args(self, w):
        return (w,) if self.indexed else ()

    def timed(self, w, params, t0):
        return timed(self.task, self.args(w), params, w, t0)


def copies_serial(copy, params, workers, t0):
    copy.prepare(params)  # one worker: the program itself
    return [copy.timed(w, params, t0) for w in range(workers)]


def in_threads(work, workers):
    """work(w) in W threads at once; their results in order, or the first exception raised."""
    records, failures = [None] * workers, []

    def worker(w):
        try:
            records[w] = work(w)
        except Exception as error:  # a thread's exception would otherwise be printed and lost
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return records


def copies_threads(copy, params, workers, t0):
    def worker(w):
        copy.prepare(params)
        return copy.timed(w, params, t0)

    return in_threads(worker, workers)


def _copy_in_process(copy, params, w, t0, queue):
    die_with_parent(os.getppid())
    try:
        copy.prepare(params)
        queue.put(copy.timed(w, params, t0))
    except Exception:
        # The parent raises it again: a run's error is its last lines, and they must say what failed.
        queue.put({"task": w, "error": traceback.format_exc().rstrip()})


def copies_processes(copy, params, workers, t0):
    multiprocessing = multiprocessing_context()
    queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_copy_in_process, args=(copy, params, w, t0, queue))
             for w in range(workers)]
    for proc in procs:
        proc.start()
    # Drain before join: a child blocks on exit until its queued record is read. A child that
    # died without a record must fail the run now, not leave it waiting for the harness timeout.
    records = []
    while len(records) < workers:
        try:
            got = queue.get(timeout=0.5)
            if "error" in got:
                raise RuntimeError("in worker process %d:\n%s" % (got["task"], got["error"]))
            records.append(got)
        except Empty:
            failed = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
            if failed:
                raise RuntimeError("worker process exited with code %s" % failed[0])
    for proc in procs:
        proc.join()
    return sorted(records, key=lambda r: r["task"])


# Importing the program again inside a subinterpreter: its `if __name__ == "__main__"` stays idle.
LOAD_PROGRAM = """
import importlib.util, sys
sys.path.insert(0, %r)
_spec = importlib.util.spec_from_file_location("gilbench_program", %r)
_program = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_program)
"""


def interpreter_api():
    """(create, run code, destroy) for interpreters with a GIL of their own (PEP 684)."""
    if sys.version_info < (3, 12):
        raise SystemExit("subinterpreters with a GIL of their own need Python 3.12 or newer")
    try:
        from concurrent import interpreters  # 3.14+
        # getattr: "exec" is a keyword to Python 2.7, which must still read this file.
        return interpreters.create, lambda interp, code: getattr(interp, "exec")(code), lambda interp: interp.close()
    except ImportError:
        pass
    try:
        import _interpreters as low  # 3.13
    except ImportError:
        import _xxsubinterpreters as low  # 3.12

    def run(interp, code):
        failure = low.run_string(interp, code)  # 3.12 raises; 3.13 returns what went wrong
        if failure is not None:
            raise RuntimeError("in a subinterpreter: %s" % (failure,))

    return low.create, run, low.destroy


def copies_subinterpreters(copy, params, workers, t0):
    create, run, destroy = interpreter_api()
    load = LOAD_PROGRAM % (os.path.dirname(os.path.abspath(__file__)),
                           os.path.abspath(sys.modules["__main__"].__file__))
    if copy.setup is not None:
        load += "_program.%s(**%r)\n" % (copy.setup.__name__, params)

    def one_interpreter(w):
        interp = create()
        try:
            run(interp, load)  # set-up, as starting a thread or a process is
            start = clock()
            run(interp, "_program.%s(*%r, **%r)" % (copy.task.__name__, copy.args(w), params))
            return record(w, start, clock(), t0, None)
        finally:
            destroy(interp)

    return in_threads(one_interpreter, workers)


def asyncio_mode(name):
    """The asyncio modes, imported only when asked for: their syntax is beyond Python 2.7."""
    def run(*args, **kwargs):
        import gilbench_async
        return getattr(gilbench_async, name)(*args, **kwargs)
    return run


COPIES = {"serial": copies_serial, "threads": copies_threads, "processes": copies_processes,
          "async": asyncio_mode("copies_async"), "subinterpreters": copies_subinterpreters}


# --- pool: K items, at most W in flight -------------------------------------------------

def pool_serial(task, params, items, workers, t0, async_task):
    return [timed(task, (i,), params, i, t0) for i in range(items)]


def pool_threads(task, params, items, workers, t0, async_task):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as executor:
        return list(executor.map(lambda i: timed(task, (i,), params, i, t0), range(items)))


def _item_in_process(task, params, t0, i):
    return timed(task, (i,), params, i, t0)


def pool_processes(task, params, items, workers, t0, async_task):
    with multiprocessing_context().Pool(workers) as pool:
        return pool.map(functools.partial(_item_in_process, task, params, t0), range(items))


POOL = {"serial": pool_serial, "threads": pool_threads, "processes": pool_processes,
        "async": asyncio_mode("pool_async"), "async-executor": asyncio_mode("pool_async_executor")}


# --- the program ------------------------------------------------------------------------

def usage(who):
    ru = resource.getrusage(who)
    return {"user_s": ru.ru_utime, "sys_s": ru.ru_stime, "maxrss_kib": ru.ru_maxrss,
            "voluntary_switches": ru.ru_nvcsw, "involuntary_switches": ru.ru_nivcsw}


def _delta(after, before):
    out = dict(after)
    for key in ("user_s", "sys_s", "voluntary_switches", "involuntary_switches"):
        out[key] = after[key] - before[key]
    return out


def parse_args(params, modes, argv=None):
    parser = argparse.ArgumentParser(description="Run a gilbench workload task.")
    parser.add_argument("--mode", choices=modes, required=True)
    parser.add_argument("--workers", type=int, default=1, help="how many workers (W)")
    for name, kind in params.items():
        parser.add_argument("--" + name, type=kind, required=True)
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    return args


def start_method():
    # Only the modes that use multiprocessing pay for importing it; Python 2.7 only forks.
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is None:
        return None
    return getattr(multiprocessing, "get_start_method", lambda: "fork")()


def main(task, params, items=None, async_task=None, argv=None, setup=None, indexed=False, given=None):
    """items: the name of the parameter that holds K (pool shape); None for the copies shape.

    given: parameters that come from the program rather than from flags (a --task's own)."""
    if items:
        def run(mode, values, workers, t0):
            return POOL[mode](task, values, values[items], workers, t0, async_task)
        measure(POOL_MODES, run, params, argv, given)
    else:
        copy = Copy(task, setup, indexed, async_task)
        measure(COPY_MODES, lambda mode, values, workers, t0: COPIES[mode](copy, values, workers, t0), params, argv, given)


def measure(modes, run, params, argv=None, given=None):
    """Parses the arguments, times run(mode, values, workers, t0) -> task records, prints the JSON line."""
    args = parse_args(params, modes, argv)
    values = dict(given or {})
    values.update((name, getattr(args, name)) for name in params)
    self_before, children_before = usage(resource.RUSAGE_SELF), usage(resource.RUSAGE_CHILDREN)
    t0 = clock()
    tasks = run(args.mode, values, args.workers, t0)
    wall = clock() - t0
    reap_forkserver()
    self_after, children_after = usage(resource.RUSAGE_SELF), usage(resource.RUSAGE_CHILDREN)

    result = {
        "mode": args.mode,
        "workers": args.workers,
        "params": values,
        "wall_s": wall,
        "rusage": {"self": _delta(self_after, self_before),
                   "children": _delta(children_after, children_before)},
        # Since the process started, start-up included: what the machine saw it use.
        "rusage_total": {"self": self_after, "children": children_after},
        "tasks": tasks,
        "pid": os.getpid(),
        "start_method": start_method(),
        "python": facts(),
    }
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
