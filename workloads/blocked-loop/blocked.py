"""One echo server, one kind of request that blocks, and what it costs everyone else (5.4.5).

A blocking request (message_bytes starting with MAGIC) does B = block_ms ms of blocking work before
it is echoed: time.sleep (block_cpu 0), or the lecture's count(n), n calibrated at start so that it
counts for about B ms here (block_cpu 1). Every other message is echoed at once. The modes:
coroutine: echo.py's asyncio streams server, the blocking work right in its handler coroutine;
executor: await loop.run_in_executor(None, ...), the default thread pool;
process-pool: await loop.run_in_executor(pool, ...), a ProcessPoolExecutor of W processes;
cooperative: await asyncio.sleep(B), or counting about 1 ms at a time, await asyncio.sleep(0) between;
threads: echo.py's thread per connection, the blocking work in its connection's thread.
The load generator sends only ordinary echoes: this program starts the blocking client itself, this
file again as a child process that sends a blocking request every block_every_ms ms (at once if the
last one took longer) and times its echo. Its count and median go in the done line, under "blocking".
"""
import asyncio
import functools
import json
import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "common"), os.path.join(HERE, "..", "echo")]
import gilbench_server  # noqa: E402
import gilbench_task  # noqa: E402
from echo import RECV_BYTES, asyncio_server, count, threads  # noqa: E402

# Little-endian 4278190079: a sequence number no load generator's ordinary message reaches.
MAGIC = b"\xff\xff\xff\xfe"


def timed_count(n):
    start = time.perf_counter()
    count(n)
    return time.perf_counter() - start


def calibrate(seconds):
    """The n for which count(n) takes about `seconds` on this interpreter, alone: the fastest of
    a few tries, as the others were slowed by whatever else the machine was doing."""
    n, took = 1000, 0.0
    while took < 0.02:
        n *= 2
        took = min(timed_count(n) for _ in range(3))
    return max(1, round(n * seconds / took))


def blocking_work(seconds, n):
    if n:
        count(n)
    else:
        time.sleep(seconds)


class Messages:
    """One connection's bytes cut into whole messages of message_bytes, as echo.py's Work counts them."""

    def __init__(self, size):
        self.size, self.pending = size, b""

    def received(self, data):
        self.pending += data
        whole = len(self.pending) - len(self.pending) % self.size
        ready, self.pending = self.pending[:whole], self.pending[whole:]
        return [ready[i:i + self.size] for i in range(0, whole, self.size)]


def blocking_client(port, message_bytes, every_s):
    """Sends a blocking request every every_s (at once when the last took longer) until its stdin
    says stop, then prints how long each took to be echoed, as JSON."""
    request = MAGIC + b"b" * (message_bytes - len(MAGIC))
    took = []
    try:
        with socket.create_connection(("127.0.0.1", port)) as conn:
            while True:
                start = time.perf_counter()
                conn.sendall(request)
                echoed = b""
                while len(echoed) < len(request):
                    data = conn.recv(RECV_BYTES)
                    if not data:
                        return
                    echoed += data
                if echoed != request:
                    raise RuntimeError("the blocking request came back changed")
                took.append(time.perf_counter() - start)
                if select.select([sys.stdin], [], [], max(0.0, start + every_s - time.perf_counter()))[0]:
                    return
    except ConnectionError:
        pass  # the server has stopped
    finally:
        print(json.dumps(took), flush=True)


class Blocking:
    """The blocking request's work, the client that sends it, and the process pool that may run it."""
    pool = None

    def start(self, sock, args):
        """Before the ready line: calibrate, start the client, and start the pool's workers."""
        if args.message_bytes < len(MAGIC):
            raise SystemExit("--message_bytes must be at least %d" % len(MAGIC))
        self.seconds = args.block_ms / 1000
        self.n = calibrate(self.seconds) if args.block_cpu else 0
        # A program of its own, not a multiprocessing child: only the process-pool mode starts
        # processes the way the lecture's processes do, and only it reports a start method.
        client = [str(sock.getsockname()[1]), str(args.message_bytes), str(args.block_every_ms / 1000)]
        self.client = subprocess.Popen([sys.executable, __file__, "--blocking-client"] + client,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        if args.mode == "process-pool":
            from concurrent.futures import ProcessPoolExecutor
            multiprocessing = gilbench_task.multiprocessing_context()
            self.pool = ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context(),
                                            initializer=signal.signal, initargs=(signal.SIGTERM, signal.SIG_DFL))
            # A request each starts its W workers now, not at the first blocking request.
            for started in [self.pool.submit(int) for _ in range(args.workers)]:
                started.result()

    def finish(self):
        """After the server stopped: the client and the pool end; what the client timed."""
        answer, _ = self.client.communicate(b"stop\n", timeout=30)
        took = json.loads(answer or b"[]")
        if self.pool:
            self.pool.shutdown()
        median_ms = round(statistics.median(took) * 1000, 3) if took else None
        return {"blocking": {"requests": len(took), "median_ms": median_ms, "count_n": self.n}}

    def work(self):
        blocking_work(self.seconds, self.n)

    async def in_coroutine(self):
        self.work()

    async def in_executor(self):
        await asyncio.get_running_loop().run_in_executor(None, blocking_work, self.seconds, self.n)

    async def in_process_pool(self):
        await asyncio.get_running_loop().run_in_executor(self.pool, blocking_work, self.seconds, self.n)

    async def cooperatively(self):
        if not self.n:
            await asyncio.sleep(self.seconds)
            return
        chunks = max(1, round(self.seconds * 1000))  # about 1 ms each
        for _ in range(chunks):
            count(self.n // chunks)
            await asyncio.sleep(0)


blocking = Blocking()


def on_asyncio(block):
    """echo.py's asyncio streams server, answering a blocking request after `await block()`."""
    async def answer(reader, writer, args):
        messages = Messages(args.message_bytes)
        try:
            while True:
                data = await reader.read(RECV_BYTES)
                if not data:
                    break
                for message in messages.received(data):
                    if message.startswith(MAGIC):
                        await block()
                    writer.write(message)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()
    return functools.partial(asyncio_server, handle_echo=answer)


def answer_in_thread(conn, args):
    messages = Messages(args.message_bytes)
    with conn:
        try:
            while True:
                data = conn.recv(RECV_BYTES)
                if not data:
                    break
                for message in messages.received(data):
                    if message.startswith(MAGIC):
                        blocking.work()
                    conn.sendall(message)
        except OSError:
            pass


threads_mode = functools.partial(threads, process_request=answer_in_thread)


if __name__ == "__main__" and sys.argv[1:2] == ["--blocking-client"]:
    blocking_client(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
elif __name__ == "__main__":
    gilbench_server.main(
        {"coroutine": on_asyncio(blocking.in_coroutine), "executor": on_asyncio(blocking.in_executor),
         "process-pool": on_asyncio(blocking.in_process_pool), "cooperative": on_asyncio(blocking.cooperatively),
         "threads": threads_mode},
        params={"block_ms": float, "block_cpu": int, "block_every_ms": float, "message_bytes": int},
        prepare=blocking.start, finish=blocking.finish,
    )
