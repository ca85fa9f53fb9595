"""What the harness needs to know about an interpreter, as one JSON line.

Kept parseable by Python 2.7 on purpose: the harness must be able to tell a user
that an old interpreter is too old, which needs an answer from it first.
"""
import json
import os
import platform
import sys
import sysconfig


def gil_enabled():
    check = getattr(sys, "_is_gil_enabled", None)
    if check is not None:
        return bool(check())
    return not sysconfig.get_config_var("Py_GIL_DISABLED")


def implementation_version():
    """PyPy's own version (7.3.11), beside the Python version it implements; None for CPython."""
    pypy = getattr(sys, "pypy_version_info", None)
    return "%d.%d.%d" % tuple(pypy[:3]) if pypy else None


def facts():
    switch = getattr(sys, "getswitchinterval", None)
    return {
        "executable": sys.executable,
        # python3 and python3.11 may be two names of one file: this tells them apart.
        "realpath": os.path.realpath(sys.executable),
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "implementation_version": implementation_version(),
        "gil_enabled": gil_enabled(),
        "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "switch_interval_s": switch() if switch else None,
    }


def frameworks(names):
    """Which of these modules the interpreter imports, with their versions. Imported, not only
    found: a C extension built for another interpreter is found by PyPy and fails to load."""
    import importlib
    found = {}
    for name in names:
        try:
            module = importlib.import_module(name)
        except Exception:  # not installed, or not loadable here
            continue
        try:
            from importlib.metadata import version
            found[name] = version(name)
        except Exception:  # no metadata (Python 3.7 and older, or no distribution): the module's own word
            found[name] = str(getattr(module, "__version__", ""))
    return found


if __name__ == "__main__":
    answer = facts()
    answer["frameworks"] = frameworks(sys.argv[1:])
    sys.stdout.write(json.dumps(answer) + "\n")
