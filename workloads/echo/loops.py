"""The lecture's echo (echo.py) in one thread, as each framework of 5.4.1 and after would write it.

generators: the lecture's coroutines (5.4.3), plain generators with yield and yield from, driven
            by a small hand-written epoll loop (5.4.1) instead of asyncio;
asyncio-protocol: asyncio's Protocol and transport, beside echo.py's streams server;
uvloop, uvloop-protocol: those two asyncio programs on uvloop's loop;
gevent: a StreamServer, a greenlet per connection, nothing monkey-patched;
tornado: a TCPServer; twisted: a Protocol on the epoll reactor; trio: serve_listeners.
generators and asyncio-protocol need only the standard library; each framework is imported by its
own mode alone.
"""
import select
import signal
import socket

from echo import RECV_BYTES, Work, process_request, sigterm


def generators(sock, args, accepted):
    """Every connection is a generator that yields (socket, event) when it must wait: the loop
    registers that with epoll and resumes the generator once epoll reports the event."""
    def accept():
        while True:
            yield sock, select.EPOLLIN
            try:
                return sock.accept()
            except OSError:
                pass  # none waiting, or it failed (ECONNABORTED, EMFILE): the server goes on, as epoll's does

    def recv(conn):
        while True:
            yield conn, select.EPOLLIN
            try:
                return conn.recv(RECV_BYTES)
            except BlockingIOError:
                pass

    def sendall(conn, data):
        while data:
            try:
                data = data[conn.send(data):]
            except BlockingIOError:
                yield conn, select.EPOLLOUT

    def echo(conn):
        work = Work(args)
        with conn:
            try:
                while True:
                    data = yield from recv(conn)
                    if not data:
                        break
                    work.received(len(data))
                    yield from sendall(conn, data)
            except OSError:
                pass

    def server():
        while True:
            conn, addr = yield from accept()
            accepted[0] += 1
            conn.setblocking(False)
            run(echo(conn))

    ep = select.epoll()
    registered = {}  # fd: the event epoll watches for on it
    waiting = {}  # fd: the generator waiting for that event

    def run(gen, fd=None):
        """Runs gen up to its next wait; fd: the socket it has been waiting on, if any."""
        try:
            conn, event = next(gen)
        except StopIteration:
            if fd is not None:
                del registered[fd]  # gen closed its socket, and that took it out of the epoll set
            return
        fd = conn.fileno()
        if fd not in registered:
            ep.register(fd, event)
        elif registered[fd] != event:
            ep.modify(fd, event)
        registered[fd], waiting[fd] = event, gen

    sock.setblocking(False)
    run(server())
    try:
        while True:
            for fd, event in ep.poll():
                run(waiting.pop(fd), fd)
    finally:
        for gen in waiting.values():
            gen.close()  # GeneratorExit at its yield: its `with conn` closes the connection
        ep.close()


def asyncio_protocol(sock, args, accepted):
    import asyncio

    transports = set()

    class Echo(asyncio.Protocol):
        def connection_made(self, transport):
            accepted[0] += 1
            self.transport, self.work = transport, Work(args)
            transports.add(transport)

        def data_received(self, data):
            self.work.received(len(data))
            self.transport.write(data)

        def connection_lost(self, exc):
            transports.discard(self.transport)

    async def main():
        server = await asyncio.get_running_loop().create_server(Echo, sock=sock, backlog=socket.SOMAXCONN)
        await sigterm()
        server.close()
        for transport in transports:  # a protocol has no task for asyncio.run to cancel
            transport.close()

    asyncio.run(main())


def on_uvloop(serve):
    """serve, an asyncio server, on uvloop's loop: asyncio.run takes its loop from the policy."""
    def run(sock, args, accepted):
        import asyncio
        import uvloop
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        serve(sock, args, accepted)
    return run


def gevent_server(sock, args, accepted):
    import gevent
    from gevent.pool import Pool
    from gevent.server import StreamServer

    def handle(conn, addr):
        accepted[0] += 1
        process_request(conn, args)  # conn is gevent's socket: its recv and sendall switch greenlets

    sock.setblocking(False)  # the server accepts until the backlog is empty
    # A pool, so that stopping kills the connections' greenlets (and closes their sockets).
    server = StreamServer(sock, handle, spawn=Pool())
    # gevent's own signal watcher: gilbench_server's Stop would be raised inside the hub.
    gevent.signal_handler(signal.SIGTERM, server.close)
    server.serve_forever(stop_timeout=0)


def tornado_server(sock, args, accepted):
    import asyncio
    from tornado.iostream import StreamClosedError
    from tornado.tcpserver import TCPServer

    class Echo(TCPServer):
        async def handle_stream(self, stream, address):
            accepted[0] += 1
            work = Work(args)
            try:
                while True:
                    data = await stream.read_bytes(RECV_BYTES, partial=True)
                    work.received(len(data))
                    await stream.write(data)
            except StreamClosedError:
                pass
            finally:
                stream.close()

    async def main():
        server = Echo()
        sock.setblocking(False)
        server.add_socket(sock)
        await sigterm()
        server.stop()

    asyncio.run(main())


def twisted_server(sock, args, accepted):
    from twisted.internet import epollreactor
    epollreactor.install()
    from twisted.internet import protocol, reactor

    class Echo(protocol.Protocol):
        def connectionMade(self):
            accepted[0] += 1
            self.work = Work(args)

        def dataReceived(self, data):
            self.work.received(len(data))
            self.transport.write(data)

    sock.setblocking(False)  # adoptStreamPort's requirement: the port shares sock's file description
    reactor.adoptStreamPort(sock.fileno(), socket.AF_INET, protocol.Factory.forProtocol(Echo))
    # run() installs the reactor's SIGTERM handler: it stops the reactor, which closes the
    # listening port (a duplicate of sock) and every connection on its way out.
    reactor.run()


def trio_server(sock, args, accepted):
    import trio

    async def echo(stream):
        accepted[0] += 1
        work = Work(args)
        try:
            while True:
                data = await stream.receive_some(RECV_BYTES)
                if not data:
                    break
                work.received(len(data))
                await stream.send_all(data)
        except trio.BrokenResourceError:
            pass

    async def main():
        listener = trio.SocketListener(trio.socket.from_stdlib_socket(sock))
        with trio.open_signal_receiver(signal.SIGTERM) as signals:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(trio.serve_listeners, echo, [listener])
                async for _ in signals:
                    # serve_listeners closes the listener and each connection's stream as it is cancelled
                    nursery.cancel_scope.cancel()

    trio.run(main)
