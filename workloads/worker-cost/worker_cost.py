"""What a worker costs (5.2.2, 5.3.3): start W of them, hold them all alive, then join them.

threads: threading.Thread; fork, spawn, forkserver: multiprocessing.Process started that way;
async: asyncio tasks. Each worker signals that it runs and waits to be released, so that the
memory of W live workers can be read from /proc (RSS and PSS of the whole process tree) before
they all are released and joined. One record: seconds to start them all, seconds to join them,
and the tree's memory before and with them.
"""
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import gilbench_task  # noqa: E402


def tree(pid):
    """pid and its descendants: forkserver's workers are its children, not ours."""
    pids, i = [pid], 0
    while i < len(pids):
        for task in os.listdir("/proc/%d/task" % pids[i]):
            try:
                with open("/proc/%d/task/%s/children" % (pids[i], task)) as f:
                    pids.extend(int(child) for child in f.read().split())
            except OSError:
                pass  # a thread or process that just ended
        i += 1
    return pids


def memory_kib():
    """RSS counts a page shared by forked processes in each of them; PSS divides it among them."""
    total = {"rss_kib": 0, "pss_kib": 0}
    for pid in tree(os.getpid()):
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    name, value = line.split(":", 1)[0], line.split()[1:2]
                    if name in ("Rss", "Pss"):
                        total[name.lower() + "_kib"] += int(value[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def hold(workers, t0, start_all, release_and_join):
    before = memory_kib()
    started = gilbench_task.clock()
    start_all(workers)
    running = gilbench_task.clock()
    live = memory_kib()
    release_and_join()
    joined = gilbench_task.clock()
    return [gilbench_task.record(0, started, joined, t0, {
        "start_s": running - started, "join_s": joined - running,
        "before": before, "live": live})]


def wait_to_be_released(ready, go):
    ready.release()
    go.wait()


def with_workers(make, ready, go, workers, t0):
    """W threads or processes (make: threading.Thread or a context's Process), each waiting on go."""
    started = []

    def start_all(n):
        for _ in range(n):
            worker = make(target=wait_to_be_released, args=(ready, go))
            worker.start()
            started.append(worker)
        for _ in range(n):
            ready.acquire()

    def release_and_join():
        go.set()
        for worker in started:
            worker.join()

    return hold(workers, t0, start_all, release_and_join)


def with_threads(mode, values, workers, t0):
    return with_workers(threading.Thread, threading.Semaphore(0), threading.Event(), workers, t0)


def with_processes(mode, values, workers, t0):
    context = gilbench_task.multiprocessing_context(mode)
    return with_workers(context.Process, context.Semaphore(0), context.Event(), workers, t0)


def with_tasks(mode, values, workers, t0):
    """The same hold, the loop run once to start the tasks and once to release and gather them."""
    import asyncio

    loop = asyncio.new_event_loop()
    state = {}

    async def worker():
        state["running"] += 1
        await state["go"].wait()

    async def start(n):
        state.update(go=asyncio.Event(), running=0)
        state["tasks"] = [loop.create_task(worker()) for _ in range(n)]
        while state["running"] < n:
            await asyncio.sleep(0)

    async def finish():
        state["go"].set()
        await asyncio.gather(*state["tasks"])

    try:
        return hold(workers, t0, lambda n: loop.run_until_complete(start(n)), lambda: loop.run_until_complete(finish()))
    finally:
        loop.close()


MODES = {"threads": with_threads, "fork": with_processes, "spawn": with_processes,
         "forkserver": with_processes, "async": with_tasks}

if __name__ == "__main__":
    gilbench_task.measure(tuple(MODES), lambda mode, values, workers, t0: MODES[mode](mode, values, workers, t0), {})
