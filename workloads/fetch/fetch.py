"""The lecture's IO-bound fetch (5.2.5, 5.4.5): K downloads from a local server that makes you wait.

serial, threads (ThreadPoolExecutor), processes (multiprocessing.Pool) and async-executor
(loop.run_in_executor, as in the lecture) all call sync_get_url; async uses a client on
asyncio streams, one HTTP/1.1 request per connection.
"""
import asyncio
import os
import sys
from urllib.parse import urlsplit
from urllib.request import urlopen

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import gilbench_task  # noqa: E402


def sync_get_url(url, timeout):
    return urlopen(url, timeout=timeout).read()


def fetch(i, url, requests, delay_ms, body_bytes, timeout_s):
    return len(sync_get_url(url, timeout_s))


async def async_get_url(url):
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        request = "GET %s?%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (
            parts.path, parts.query, parts.netloc)
        writer.write(request.encode("ascii"))
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        if " 200 " not in head[0] + " ":
            raise RuntimeError("HTTP status line: %s" % head[0])
        length = next(int(line.split(":", 1)[1]) for line in head
                      if line.lower().startswith("content-length:"))
        return await reader.readexactly(length)
    finally:
        writer.close()
        await writer.wait_closed()


async def async_fetch(i, url, requests, delay_ms, body_bytes, timeout_s):
    return len(await asyncio.wait_for(async_get_url(url), timeout_s))


if __name__ == "__main__":
    gilbench_task.main(
        fetch,
        params={"url": str, "requests": int, "delay_ms": int, "body_bytes": int, "timeout_s": float},
        items="requests",
        async_task=async_fetch,
    )
