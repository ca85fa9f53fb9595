"""Runs a function of the user's own file as the task: gilbench run --task FILE:FUNC (stdlib only, 3.8+).

func(i, **params) is one unit of work, W of them per run in every mode of workloads/common; an
optional setup(**params) in the same file runs once per worker before its clock starts. The file
is loaded by path in each process or subinterpreter that calls it, so these wrappers, which find
it again from the parameters, are what gilbench_task runs and pickles.
"""
import argparse
import asyncio
import importlib.util
import inspect
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))

import gilbench_task  # noqa: E402

# Parameters gilbench adds to the user's: where the function is. The wrappers take them off.
FILE, FUNC = "gilbench_task_file", "gilbench_task_func"

_loaded = {}


def user_module(path):
    """The user's file, loaded once per process or subinterpreter."""
    if path not in _loaded:
        spec = importlib.util.spec_from_file_location("gilbench_user_tasks", path)
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, os.path.dirname(path))  # the user's file may import its neighbours
        spec.loader.exec_module(module)
        _loaded[path] = module
    return _loaded[path]


def user_function(params, name):
    user = {k: v for k, v in params.items() if k not in (FILE, FUNC)}
    return getattr(user_module(params[FILE]), name, None), user


def setup(**params):
    function, user = user_function(params, "setup")
    if function is not None:
        function(**user)


def task(i, **params):
    """A coroutine function outside the async mode runs on an event loop of its own."""
    function, user = user_function(params, params[FUNC])
    result = function(i, **user)
    if inspect.iscoroutine(result):
        asyncio.run(result)
    # what it returns is the user's business: not printed, not pickled


async def async_task(i, **params):
    function, user = user_function(params, params[FUNC])
    await function(i, **user)


def main():
    parser = argparse.ArgumentParser(description="Run FUNC(i, **params) of FILE as a gilbench task.")
    parser.add_argument("--task-file", required=True)
    parser.add_argument("--task-func", required=True)
    parser.add_argument("--task-params", default="{}", help="the function's keyword arguments, as a JSON object")
    parser.add_argument("--task-size", help="the keyword argument that sizes a task, given as its own flag")
    ours, rest = parser.parse_known_args()
    given = dict(json.loads(ours.task_params), **{FILE: os.path.abspath(ours.task_file), FUNC: ours.task_func})
    function, _ = user_function(given, ours.task_func)
    awaited = async_task if inspect.iscoroutinefunction(function) else None
    sized = {ours.task_size: int} if ours.task_size else {}
    gilbench_task.main(task, sized, argv=rest, setup=setup, indexed=True, async_task=awaited, given=given)


if __name__ == "__main__":
    main()
