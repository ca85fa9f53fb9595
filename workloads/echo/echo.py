"""The lecture's TCP servers (5.3.1-5.4.1, 5.4.4), each echoing every byte back.

serial: accept one client, serve it to the end, then the next.
threads: a threading.Thread per accepted connection.
processes: prefork, W multiprocessing.Process workers accepting on the one listening socket,
           a thread per connection inside each.
epoll: a hand-written non-blocking select.epoll loop.
asyncio: asyncio.start_server with streams.
The same echo in the other single-threaded frameworks, and in hand-written generators: loops.py.
--work N runs the lecture's count(N) once per whole message received (message_bytes),
turning each into a CPU-bound server.
--cpu-threads N starts N threads that only count, beside the server, in its main process (a
prefork server's workers are forked before they start, so its workers are free of them), and
--switch-interval S sets sys.setswitchinterval(S) (0 keeps the interpreter's): the convoy effect,
an IO thread waiting for the GIL that a CPU-bound thread holds.
"""
import os
import select
import signal
import socket
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import gilbench_server  # noqa: E402
import gilbench_task  # noqa: E402

# The lecture reads 1024 bytes at a time; 64 KiB lets a 64 KiB message cost one call, not 64.
RECV_BYTES = 65536


def count(n):
    while n > 0:
        n -= 1


class Work:
    """count(N) once for every whole message that has arrived on one connection."""

    def __init__(self, args):
        self.n, self.message_bytes, self.pending = args.work, args.message_bytes, 0

    def received(self, nbytes):
        if not self.n:
            return
        self.pending += nbytes
        while self.pending >= self.message_bytes:
            self.pending -= self.message_bytes
            count(self.n)


def spin():
    while True:
        count(1000000)


def beside_cpu_threads(serve):
    """The server, with --cpu-threads counting threads beside it and the switch interval set."""
    def run(sock, args, accepted):
        if args.switch_interval:
            sys.setswitchinterval(args.switch_interval)

        def start_counting():
            for _ in range(args.cpu_threads):
                threading.Thread(target=spin, daemon=True).start()

        if serve is processes:
            # Prefork's parent counts only once its workers run: a parent starved of the GIL would
            # otherwise take seconds to start them, and its workers would inherit nothing anyway.
            serve(sock, args, accepted, then=start_counting)
        else:
            start_counting()
            serve(sock, args, accepted)
    return run


def process_request(conn, args):
    work = Work(args)
    with conn:
        try:
            while True:
                data = conn.recv(RECV_BYTES)
                if not data:
                    break
                work.received(len(data))
                conn.sendall(data)
        except OSError:
            pass  # the client vanished: this connection ends, the server goes on


def serial(sock, args, accepted):
    while True:
        conn, addr = sock.accept()
        accepted[0] += 1
        process_request(conn, args)


def threads(sock, args, accepted, process_request=process_request):
    while True:
        conn, addr = sock.accept()
        accepted[0] += 1
        th = threading.Thread(target=process_request, args=(conn, args), daemon=True)
        th.start()


def worker(sock, args, index, counts):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's terminate() ends a worker at once
    while True:
        conn, addr = sock.accept()
        with counts.get_lock():
            counts[index] += 1
        th = threading.Thread(target=process_request, args=(conn, args), daemon=True)
        th.start()


def processes(sock, args, accepted, then=lambda: None):
    multiprocessing = gilbench_task.multiprocessing_context()

    counts = multiprocessing.Array("l", args.workers)
    workers_list = [multiprocessing.Process(target=worker, args=(sock, args, i, counts))
                    for i in range(args.workers)]
    for w in workers_list:
        w.start()
    then()
    try:
        for w in workers_list:
            w.join()
    finally:
        for w in workers_list:
            w.terminate()
        for w in workers_list:
            w.join()
        accepted[:] = counts[:]


def epoll(sock, args, accepted):
    sock.setblocking(False)
    ep = select.epoll()
    ep.register(sock.fileno(), select.EPOLLIN)
    conns, outgoing, works = {}, {}, {}

    def close(fd):
        ep.unregister(fd)
        conns.pop(fd).close()
        del outgoing[fd], works[fd]

    def flush(fd):
        sent = conns[fd].send(outgoing[fd])
        del outgoing[fd][:sent]
        # Read again only once everything read so far has been written back.
        ep.modify(fd, select.EPOLLOUT if outgoing[fd] else select.EPOLLIN)

    try:
        while True:
            for fd, event in ep.poll():
                try:
                    if fd == sock.fileno():
                        conn, addr = sock.accept()
                        accepted[0] += 1
                        conn.setblocking(False)
                        conns[conn.fileno()] = conn
                        outgoing[conn.fileno()], works[conn.fileno()] = bytearray(), Work(args)
                        ep.register(conn.fileno(), select.EPOLLIN)
                    elif event & select.EPOLLIN:
                        data = conns[fd].recv(RECV_BYTES)
                        if not data:
                            close(fd)
                            continue
                        works[fd].received(len(data))
                        outgoing[fd] += data
                        flush(fd)
                    elif event & select.EPOLLOUT:
                        flush(fd)
                    else:
                        close(fd)
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    if fd in conns:
                        close(fd)
    finally:
        for conn in conns.values():
            conn.close()
        ep.close()


async def sigterm():
    """Returns at SIGTERM, caught by the loop: gilbench_server's Stop would be raised inside it."""
    import asyncio
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()


async def handle_echo(reader, writer, args):
    work = Work(args)
    try:
        while True:
            data = await reader.read(RECV_BYTES)
            if not data:
                break
            work.received(len(data))
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


def asyncio_server(sock, args, accepted, handle_echo=handle_echo):
    import asyncio

    async def handle(reader, writer):
        accepted[0] += 1
        await handle_echo(reader, writer, args)

    async def main():
        server = await asyncio.start_server(handle, sock=sock, backlog=socket.SOMAXCONN)
        await sigterm()
        server.close()

    asyncio.run(main())


if __name__ == "__main__":
    import loops
    servers = {"serial": serial, "threads": threads, "processes": processes, "epoll": epoll, "asyncio": asyncio_server,
               "generators": loops.generators, "asyncio-protocol": loops.asyncio_protocol,
               "uvloop": loops.on_uvloop(asyncio_server), "uvloop-protocol": loops.on_uvloop(loops.asyncio_protocol),
               "gevent": loops.gevent_server, "tornado": loops.tornado_server, "twisted": loops.twisted_server,
               "trio": loops.trio_server}
    gilbench_server.main(
        {mode: beside_cpu_threads(serve) for mode, serve in servers.items()},
        params={"work": int, "message_bytes": int, "cpu_threads": int, "switch_interval": float},
    )
