"""Fork server of the exec runner: a Python that has imported charms.reactive once and
runs each hook file in a child forked from it (``jujusim.driver.ExecRunner``).

A built charm's hook file is a Python script (``#!/usr/bin/env python3``) that imports
charms.reactive and calls ``main()``. Starting a new interpreter for every hook spends
most of the hook's time importing the framework (and setuptools' ``pkg_resources``,
which it imports), the same every time. This server does that once; for each hook
it forks a child that becomes the hook process: the hook's environment, working
directory and ``sys.argv``, its standard output and error in files, ``sys.path[0]``
the hook's directory, and the hook file run as ``__main__``. The child exits with
the status an interpreter running the file would exit with (a traceback on stderr and
1 for an uncaught exception). The hook's own code, the charm's modules and every hook
tool call are run for real; only the framework's import is shared.

Protocol (one JSON object per line): the driver writes ``{"path", "cwd", "env",
"stdout", "stderr"}``; the server answers ``{"pid": n}`` when the child runs, then
``{"status": exit status}`` (negative: killed by that signal) when it has finished.
Started as ``python forkserver.py`` with the hooks' startup environment (their
``PYTHONPATH``, so the same ``sitecustomize`` runs). Standard library only: it is the
hook's interpreter, not the test process.
"""

import atexit
import importlib
import json
import os
import runpy
import sys
import traceback


def _exit_status(code):
    """What an interpreter exits with for ``SystemExit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _print_exception(path, exc):
    """The traceback an interpreter prints for an uncaught exception of the script ``path``:
    the frames from the script's own on (not the server's)."""
    tb = exc.__traceback__
    frames = tb
    while frames is not None and frames.tb_frame.f_code.co_filename != path:
        frames = frames.tb_next
    traceback.print_exception(type(exc), exc, frames if frames is not None else tb)


def _become_hook(request):
    """In the forked child: turn into the hook process and run the hook file; never returns."""
    status = 1
    try:
        os.setpgid(0, 0)  # the driver can stop the hook and the tools it started at once
        path = request["path"]
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, name in ((1, "stdout"), (2, "stderr")):
            out = os.open(request[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, fd)
            os.close(out)
        os.close(null)
        sys.stdin = open(0, closefd=False)
        sys.stdout = open(1, "w", closefd=False)
        sys.stderr = open(2, "w", closefd=False)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.pycache_prefix = os.environ.get("PYTHONPYCACHEPREFIX") or None
        sys.dont_write_bytecode = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
        sys.argv = [path]
        sys.path.insert(0, os.path.dirname(path))  # as `python path` has it
        importlib.invalidate_caches()
        try:
            runpy.run_path(path, run_name="__main__")
            status = 0
        except SystemExit as e:
            status = _exit_status(e.code)
        except BaseException as e:  # an uncaught exception: traceback, exit 1
            _print_exception(path, e)
            status = 1
        atexit._run_exitfuncs()
    except BaseException:  # the server's own failure to set the hook up
        traceback.print_exc()
        status = 70
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(status & 0xFF)


def _status(wait_status):
    if os.WIFSIGNALED(wait_status):
        return -os.WTERMSIG(wait_status)
    return os.WEXITSTATUS(wait_status)


def main():
    del sys.path[0]  # this file's directory: a hook has its own there instead
    import charms.reactive  # noqa: F401  (what every hook imports first: once, here)

    requests, replies = sys.stdin.buffer, sys.stdout
    sys.stdin = open(os.devnull)
    for line in requests:
        request = json.loads(line)
        replies.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _become_hook(request)
        replies.write(json.dumps({"pid": pid}) + "\n")
        replies.flush()
        _, wait_status = os.waitpid(pid, 0)
        replies.write(json.dumps({"status": _status(wait_status)}) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
