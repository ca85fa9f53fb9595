"""Runs a workload's task in one of the concurrency modes (stdlib only, Python 3.8+).

A workload program defines its task and calls main(). Two shapes:
- copies: W copies of task(**params), each in its own thread, process or coroutine
  (the countdown: W equal CPU-bound tasks);
- pool: task(i, **params) for each of K items, with at most W in flight, through the
  standard pools (the fetch: K requests over W workers).
This module parses the arguments, runs the task, and prints exactly one JSON object on
stdout; anything else a program wants to say goes to stderr.
"""
import argparse
import functools
import json
import os
from queue import Empty
import resource
import sys
import threading
import time

from probe import facts

COPY_MODES = ("serial", "threads", "processes", "async")
POOL_MODES = COPY_MODES + ("async-executor",)


def timed(task, args, params, index, t0):
    start = time.perf_counter()
    result = task(*args, **params)
    end = time.perf_counter()
    return {"task": index, "pid": os.getpid(), "tid": threading.get_native_id(),
            "start_s": start - t0, "end_s": end - t0, "result": result}


# --- copies: W copies of one task -------------------------------------------------------

def copies_serial(task, params, workers, t0):
    return [timed(task, (), params, w, t0) for w in range(workers)]


def copies_threads(task, params, workers, t0):
    records = [None] * workers

    def worker(w):
        records[w] = timed(task, (), params, w, t0)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return records


def _copy_in_process(task, params, w, t0, queue):
    queue.put(timed(task, (), params, w, t0))


def copies_processes(task, params, workers, t0):
    import multiprocessing

    queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_copy_in_process, args=(task, params, w, t0, queue))
             for w in range(workers)]
    for proc in procs:
        proc.start()
    # Drain before join: a child blocks on exit until its queued record is read. A child that
    # died without a record must fail the run now, not leave it waiting for the harness timeout.
    records = []
    while len(records) < workers:
        try:
            records.append(queue.get(timeout=0.5))
        except Empty:
            failed = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
            if failed:
                raise RuntimeError("worker process exited with code %s" % failed[0])
    for proc in procs:
        proc.join()
    return sorted(records, key=lambda r: r["task"])


def copies_async(task, params, workers, t0):
    import asyncio

    async def one(w):
        # No await inside: the point is that asyncio does not parallelise CPU work.
        return timed(task, (), params, w, t0)

    async def all_copies():
        return await asyncio.gather(*(one(w) for w in range(workers)))

    return list(asyncio.run(all_copies()))


COPIES = {"serial": copies_serial, "threads": copies_threads,
          "processes": copies_processes, "async": copies_async}


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
    import multiprocessing

    with multiprocessing.Pool(workers) as pool:
        return pool.map(functools.partial(_item_in_process, task, params, t0), range(items))


def pool_async(task, params, items, workers, t0, async_task):
    import asyncio

    async def all_items():
        in_flight = asyncio.Semaphore(workers)

        async def one(i):
            async with in_flight:
                start = time.perf_counter()
                result = await async_task(i, **params)
                return {"task": i, "pid": os.getpid(), "tid": threading.get_native_id(),
                        "start_s": start - t0, "end_s": time.perf_counter() - t0, "result": result}

        return await asyncio.gather(*(one(i) for i in range(items)))

    return list(asyncio.run(all_items()))


def pool_async_executor(task, params, items, workers, t0, async_task):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def all_items():
        loop = asyncio.get_running_loop()
        # The lecture's run_in_executor(None, ...): the default executor, sized to W.
        loop.set_default_executor(ThreadPoolExecutor(max_workers=workers))
        futures = [loop.run_in_executor(None, timed, task, (i,), params, i, t0) for i in range(items)]
        return await asyncio.gather(*futures)

    return list(asyncio.run(all_items()))


POOL = {"serial": pool_serial, "threads": pool_threads, "processes": pool_processes,
        "async": pool_async, "async-executor": pool_async_executor}


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


def main(task, params, items=None, async_task=None, argv=None):
    """items: the name of the parameter that holds K (pool shape); None for the copies shape."""
    args = parse_args(params, POOL_MODES if items else COPY_MODES, argv)
    values = {name: getattr(args, name) for name in params}
    if items:
        pool = POOL[args.mode]
        run = functools.partial(pool, task, values, values[items], args.workers, async_task=async_task)
    else:
        run = functools.partial(COPIES[args.mode], task, values, args.workers)

    self_before, children_before = usage(resource.RUSAGE_SELF), usage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    tasks = run(t0=t0)
    wall = time.perf_counter() - t0
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
        # Only the modes that use multiprocessing pay for importing it.
        "start_method": sys.modules["multiprocessing"].get_start_method()
        if "multiprocessing" in sys.modules else None,
        "python": facts(),
    }
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
