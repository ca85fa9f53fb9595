"""The lecture's CPU-bound countdown (5.2.5): count(n) decrements n to zero, W times over."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import gilbench_task  # noqa: E402


def count(n):
    while n > 0:
        n -= 1


if __name__ == "__main__":
    gilbench_task.main(count, params={"n": int})
