"""The asyncio modes of gilbench_task (Python 3.8+), apart so that Python 2.7 can read the rest."""
import asyncio
from concurrent.futures import ThreadPoolExecutor

from gilbench_task import clock, record, timed


def copies_async(copy, params, workers, t0):
    """Plain functions are called in the loop, no await inside: the point is that asyncio does not
    parallelise CPU work. An indexed task (gilbench --task) is what users write instead: its
    async_task is awaited when it has one, else the task goes to an executor of W threads."""
    async def one(w):
        if copy.async_task is not None:
            start = clock()
            await copy.async_task(w, **params)
            return record(w, start, clock(), t0, None)
        if copy.indexed:
            return await asyncio.get_running_loop().run_in_executor(None, copy.timed, w, params, t0)
        return copy.timed(w, params, t0)

    async def all_copies():
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=workers))
        return await asyncio.gather(*(one(w) for w in range(workers)))

    copy.prepare(params)  # one worker: the event loop's thread
    return list(asyncio.run(all_copies()))


def pool_async(task, params, items, workers, t0, async_task):
    async def all_items():
        in_flight = asyncio.Semaphore(workers)

        async def one(i):
            async with in_flight:
                start = clock()
                result = await async_task(i, **params)
                return record(i, start, clock(), t0, result)

        return await asyncio.gather(*(one(i) for i in range(items)))

    return list(asyncio.run(all_items()))


def pool_async_executor(task, params, items, workers, t0, async_task):
    async def all_items():
        loop = asyncio.get_running_loop()
        # The lecture's run_in_executor(None, ...): the default executor, sized to W.
        loop.set_default_executor(ThreadPoolExecutor(max_workers=workers))
        futures = [loop.run_in_executor(None, timed, task, (i,), params, i, t0) for i in range(items)]
        return await asyncio.gather(*futures)

    return list(asyncio.run(all_items()))
