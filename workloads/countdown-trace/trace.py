"""The countdown with a clock (who holds the GIL): count(n) in chunks of `every` iterations, the
time noted after each chunk, so that each thread's progress can be drawn over time. The chunk is
the lecture's loop itself; one clock read per chunk costs next to nothing, and the figure shows it.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import gilbench_task  # noqa: E402


def count(n, every):
    clock = gilbench_task.clock
    began = clock()
    marks = []
    while n > 0:
        chunk = min(every, n)
        n -= chunk
        while chunk > 0:
            chunk -= 1
        marks.append(clock())
    # Seconds since this task began, to the microsecond: enough to see a 5 ms switch interval.
    return [round(mark - began, 6) for mark in marks]


if __name__ == "__main__":
    gilbench_task.main(count, params={"n": int, "every": int})
