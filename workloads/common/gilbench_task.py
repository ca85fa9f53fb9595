"""Runs one workload task W times in one of four concurrency modes (stdlib only, 3.8+).

A workload program defines its task and calls main(task, params). This module parses
the common arguments, runs the task, and prints exactly one JSON object on stdout;
anything else a program wants to say goes to stderr so the harness can parse stdout.
"""
import argparse
import json
import os
import resource
import sys
import threading
import time

from probe import facts

MODES = ("serial", "threads", "processes", "async")


def _timed(task, params, worker, t0):
    start = time.perf_counter()
    task(**params)
    end = time.perf_counter()
    return {
        "worker": worker,
        "pid": os.getpid(),
        "tid": threading.get_native_id(),
        "start_s": start - t0,
        "end_s": end - t0,
    }


def run_serial(task, params, workers, t0):
    return [_timed(task, params, w, t0) for w in range(workers)]


def run_threads(task, params, workers, t0):
    records = [None] * workers

    def worker(w):
        records[w] = _timed(task, params, w, t0)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return records


def _process_worker(task, params, worker, t0, queue):
    queue.put(_timed(task, params, worker, t0))


def run_processes(task, params, workers, t0):
    import multiprocessing

    queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=_process_worker, args=(task, params, w, t0, queue))
        for w in range(workers)
    ]
    for proc in procs:
        proc.start()
    # Drain before join: a child blocks on exit until its queued record is read.
    records = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    failed = [p.exitcode for p in procs if p.exitcode != 0]
    if failed:
        raise RuntimeError("worker process exited with code %s" % failed[0])
    return sorted(records, key=lambda r: r["worker"])


def run_async(task, params, workers, t0, async_task=None):
    import asyncio

    async def one(w):
        start = time.perf_counter()
        if async_task is not None:
            await async_task(**params)
        else:
            # No await inside: the point is that asyncio does not parallelise CPU work.
            task(**params)
        end = time.perf_counter()
        return {"worker": w, "pid": os.getpid(), "tid": threading.get_native_id(),
                "start_s": start - t0, "end_s": end - t0}

    async def all_tasks():
        return await asyncio.gather(*(one(w) for w in range(workers)))

    return list(asyncio.run(all_tasks()))


RUNNERS = {"serial": run_serial, "threads": run_threads,
           "processes": run_processes, "async": run_async}


def _usage(who):
    usage = resource.getrusage(who)
    return {"user_s": usage.ru_utime, "sys_s": usage.ru_stime, "maxrss_kib": usage.ru_maxrss,
            "voluntary_switches": usage.ru_nvcsw, "involuntary_switches": usage.ru_nivcsw}


def _delta(after, before):
    out = dict(after)
    for key in ("user_s", "sys_s", "voluntary_switches", "involuntary_switches"):
        out[key] = after[key] - before[key]
    return out


def parse_args(params, argv=None):
    parser = argparse.ArgumentParser(description="Run a gilbench workload task W times.")
    parser.add_argument("--mode", choices=MODES, required=True)
    parser.add_argument("--workers", type=int, default=1, help="how many tasks (W)")
    for name, kind in params.items():
        parser.add_argument("--" + name, type=kind, required=True)
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    return args


def main(task, params, async_task=None, argv=None):
    args = parse_args(params, argv)
    values = {name: getattr(args, name) for name in params}
    runner = RUNNERS[args.mode]
    extra = {"async_task": async_task} if args.mode == "async" else {}

    self_before, children_before = _usage(resource.RUSAGE_SELF), _usage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    tasks = runner(task, values, args.workers, t0, **extra)
    wall = time.perf_counter() - t0
    self_after, children_after = _usage(resource.RUSAGE_SELF), _usage(resource.RUSAGE_CHILDREN)

    result = {
        "mode": args.mode,
        "workers": args.workers,
        "params": values,
        "wall_s": wall,
        "rusage": {"self": _delta(self_after, self_before),
                   "children": _delta(children_after, children_before)},
        "tasks": tasks,
        "pid": os.getpid(),
        # Only processes mode pays for importing multiprocessing; it is the one that needs it.
        "start_method": sys.modules["multiprocessing"].get_start_method()
        if "multiprocessing" in sys.modules else None,
        "python": facts(),
    }
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
