"""Run hooks of a reactive charm against the simulated Juju.

``Unit`` is one local unit of a charm in a simulated model. Its methods
change the model the way Juju would and fire the hooks Juju would fire, in
Juju's order (``relate`` fires relation-created, then -joined and -changed
per remote unit, ...). Each hook runs through the real charms.reactive bus,
either

* in-process (``runner="inprocess"``, the default and fast): the framework's
  per-process state is reset, ``charms.reactive.main()`` runs, and the hook
  tool command lines charmhelpers builds are answered by the same code the
  executables run (``tools.run``), without a fork; or
* by executing the charm's hook file (``runner="exec"``), e.g. a built
  charm's ``hooks/prometheus-api-relation-changed``, with the hook tool
  executables (``tool_dir()``) first on PATH.

Both runners use the same state file and calls log, so a test can switch
runner without changing anything else.
"""

import atexit
import importlib.machinery
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import types

from . import rules, tools
from . import state as st
from .rules import JujuError  # noqa: F401  (raised by Unit's methods; importable from here)
from .toolserver import SOCKET_ENV, ToolServer

HERE = os.path.dirname(os.path.abspath(__file__))
#: The template of every hook tool executable (package data: ``jujusim/hook-tool``).
HOOK_TOOL = os.path.join(HERE, "hook-tool")
HOSTSHIM_DIR = os.path.join(HERE, "hostshim")
JUJU_VERSION = "3.4.5"

_tool_dir = {}


def tool_dir():
    """The directory of the hook tool executables (``relation-get``, ``is-leader``, ... of
    ``tools.TOOLS``), made once per process in a temporary directory and removed when the
    process that made it exits: ``hook-tool`` there is ``HOOK_TOOL`` with the path of this
    package written in, every tool name a symbolic link to it. A wheel keeps neither
    symbolic links nor, everywhere, the executable bit, so the package holds the one
    template and the executables are made here. ``BIN_DIR`` is the same directory."""
    made = _tool_dir.get("path")
    if made and os.path.isdir(made):
        return made
    path = tempfile.mkdtemp(prefix="jujusim-tools-")
    with open(HOOK_TOOL) as f:
        text = f.read()
    line = "PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))"
    if line not in text:
        raise RuntimeError(f"{HOOK_TOOL}: no PACKAGE_PARENT line to set")
    text = text.replace(line, f"PACKAGE_PARENT = {os.path.dirname(HERE)!r}")
    script = os.path.join(path, "hook-tool")
    with open(script, "w") as f:
        f.write(text)
    os.chmod(script, 0o755)
    for name in tools.TOOLS:
        os.symlink("hook-tool", os.path.join(path, name))
    _tool_dir.update(path=path, pid=os.getpid())
    atexit.register(_remove_tool_dir, path, os.getpid())
    return path


def _remove_tool_dir(path, pid):
    # Forked children (the fork server's hooks) inherit atexit: only the maker removes it.
    if os.getpid() == pid:
        shutil.rmtree(path, ignore_errors=True)


def __getattr__(name):
    # BIN_DIR, as before the package: made on first use (``tool_dir()``).
    if name == "BIN_DIR":
        return tool_dir()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class HookFailed(AssertionError):
    """A hook exited with an error: the unit would be in error state."""


class HookResult:
    """What one hook did: its tool calls (in order) and its error, if any, and the unit's
    workload ``status`` and reactive ``flags`` right after it.

    ``hooks`` is every hook of the call that returned this result (``add_unit`` runs
    -joined and -changed and returns the -changed one, whose ``hooks`` has both);
    ``hooks`` of a one-hook call is ``[result]``.
    """

    def __init__(self, name, calls, error=None, status=None, flags=None):
        self.name = name
        self.calls = calls
        self.error = error
        self.status = status
        self.flags = set(flags or ())
        self.hooks = [self]

    def tool_calls(self, tool):
        """The argument lists of every call to ``tool`` in this hook."""
        return [c["args"] for c in self.calls if c["tool"] == tool]

    @property
    def relation_sets(self):
        """The ``relation-set`` calls this hook made (``--help`` probes excluded)."""
        return self.tool_calls("relation-set")

    @property
    def logs(self):
        """``(level, message)`` for every juju-log call."""
        out = []
        for args in self.tool_calls("juju-log"):
            level = "INFO"
            if len(args) >= 3 and args[0] in ("-l", "--log-level"):
                level, args = args[1], args[2:]
            out.append((level, " ".join(args)))
        return out

    @property
    def warnings(self):
        """The messages of the juju-log calls at WARNING level."""
        return [message for level, message in self.logs if level == "WARNING"]

    @property
    def statuses(self):
        """``[state, message]`` of every unit status-set call of this hook, in order."""
        return [list(_status_args(args)) for args in self.tool_calls("status-set")
                if "--application" not in args]

    def __repr__(self):
        return f"<HookResult {self.name} calls={len(self.calls)} error={self.error!r}>"


def _status_args(args):
    pos = [a for a in args if not a.startswith("--")]
    return pos[0], pos[1] if len(pos) > 1 else ""


class RelationId(str):
    """The id of a relation, ``"<endpoint>:<number>"``, as ``relate()`` returns it: a string
    that works wherever a relation id does, and tells what the hooks of the call did.

    ``hooks`` is the ``HookResult`` of each hook, in order (relation-created, then
    -joined and -changed per remote unit); ``logs``, ``warnings`` and ``statuses`` are
    theirs together; ``status`` and ``flags`` are the unit's after the last hook.
    """

    def __new__(cls, rid, hooks=()):
        obj = super().__new__(cls, rid)
        obj.hooks = list(hooks)
        return obj

    @property
    def id(self):
        """The relation's number (``3`` for ``"metrics:3"``), as ``JUJU_RELATION_ID`` ends."""
        return int(self.rsplit(":", 1)[-1])

    @property
    def endpoint(self):
        return self.rsplit(":", 1)[0]

    @property
    def logs(self):
        return [entry for hook in self.hooks for entry in hook.logs]

    @property
    def warnings(self):
        return [message for level, message in self.logs if level == "WARNING"]

    @property
    def statuses(self):
        return [entry for hook in self.hooks for entry in hook.statuses]

    @property
    def status(self):
        return self.hooks[-1].status if self.hooks else None

    @property
    def flags(self):
        return set(self.hooks[-1].flags) if self.hooks else set()


def _calls_result(results):
    """The last ``HookResult`` of a call that ran ``results``, with ``hooks`` set to all."""
    last = results[-1]
    last.hooks = list(results)
    return last


# --------------------------------------------------------------------------
# In-process runner
# --------------------------------------------------------------------------

class _HookToolSubprocess:
    """Stands in for the ``subprocess`` module inside charmhelpers' hookenv.

    Command lines naming a hook tool are answered by ``tools.run`` with the
    hook's environment; anything else goes to the real ``subprocess``.
    """

    CalledProcessError = subprocess.CalledProcessError
    STDOUT = subprocess.STDOUT
    PIPE = subprocess.PIPE

    def __getattr__(self, name):
        return getattr(subprocess, name)

    @staticmethod
    def _is_tool(args):
        return isinstance(args, (list, tuple)) and args and os.path.basename(args[0]) in tools.HANDLERS

    def _run(self, args, kwargs):
        code, out, err = tools.run(list(args), env=os.environ)
        if kwargs.get("stderr") == subprocess.STDOUT:
            out, err = out + err, ""
        if err:
            sys.stderr.write(err)
        text = kwargs.get("universal_newlines") or kwargs.get("text")
        return code, (out if text else out.encode("utf-8")), err

    def check_output(self, args, **kwargs):
        if not self._is_tool(args):
            return subprocess.check_output(args, **kwargs)
        code, out, err = self._run(args, kwargs)
        if code:
            raise subprocess.CalledProcessError(code, args, output=out, stderr=err)
        return out

    def check_call(self, args, **kwargs):
        if not self._is_tool(args):
            return subprocess.check_call(args, **kwargs)
        code, _, err = self._run(args, kwargs)
        if code:
            raise subprocess.CalledProcessError(code, args, stderr=err)
        return 0

    def call(self, args, **kwargs):
        if not self._is_tool(args):
            return subprocess.call(args, **kwargs)
        return self._run(args, kwargs)[0]


def _with_filename(code, filename):
    """``code`` and every code object nested in it, with ``co_filename`` set to ``filename``."""
    consts = tuple(_with_filename(c, filename) if isinstance(c, types.CodeType) else c
                   for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


class _CompiledSources:
    """What ``compile`` makes of a module's source, remembered across hooks.

    Every in-process hook imports the charm's ``reactive`` and ``relations``
    modules afresh, as a new process would; without a bytecode cache (e.g.
    ``PYTHONDONTWRITEBYTECODE``) that means compiling each of them again in
    every hook. The same source compiles to the same code, so the code is
    kept by source (and optimisation level) and handed out again, with the
    importing file's name (the same source in another copy of the charm).
    The modules' bodies still run in every hook.
    """

    LIMIT = 4096  # (source, file) pairs kept; then the cache starts again

    def __init__(self):
        self._code = {}  # (source, optimize) -> {file name: code}
        self._size = 0
        self._original = importlib.machinery.SourceFileLoader.source_to_code

    def source_to_code(self, loader, data, path, *, _optimize=-1):
        if not isinstance(data, bytes) or not isinstance(path, str):
            return self._original(loader, data, path, _optimize=_optimize)
        if self._size >= self.LIMIT:
            self._code.clear()
            self._size = 0
        by_file = self._code.setdefault((data, _optimize), {})
        code = by_file.get(path)
        if code is None:
            code = (_with_filename(next(iter(by_file.values())), path) if by_file
                    else self._original(loader, data, path, _optimize=_optimize))
            by_file[path] = code
            self._size += 1
        return code

    def __enter__(self):
        cache = self

        def source_to_code(loader, data, path, *, _optimize=-1):
            return cache.source_to_code(loader, data, path, _optimize=_optimize)

        importlib.machinery.SourceFileLoader.source_to_code = source_to_code
        return self

    def __exit__(self, *exc):
        importlib.machinery.SourceFileLoader.source_to_code = self._original


class InProcessRunner:
    """Runs ``charms.reactive.main()`` in this process, resetting it between hooks."""

    _snapshot = None

    def __init__(self, charm_dir):
        self.charm_dir = charm_dir
        self._prepare()

    @classmethod
    def _prepare(cls):
        if cls._snapshot is not None:
            return
        from . import ubuntu_platform_shim

        ubuntu_platform_shim.install()
        import charms.reactive  # noqa: F401  (registers its atstart/atexit callbacks)
        from charmhelpers.core import hookenv

        cls._snapshot = {
            "atstart": list(hookenv._atstart),
            "atexit": list(hookenv._atexit),
            "sys_path": list(sys.path),
        }
        cls._compiled = _CompiledSources()

    def _reset(self):
        """Forget everything a previous hook left in this process, as a new process would."""
        from charmhelpers.core import hookenv, unitdata
        from charms.reactive import bus, endpoints, relations

        snap = self._snapshot
        hookenv.cache.clear()
        hookenv._cache_config = None
        hookenv._atstart[:] = snap["atstart"]
        hookenv._atexit[:] = snap["atexit"]
        if unitdata._KV is not None:
            unitdata._KV.close()
        unitdata._KV = None
        bus.Handler._HANDLERS = {}
        bus.Handler._CONSUMED_FLAGS = set()
        endpoints.Endpoint._endpoints = {}
        relations.RelationBase._cache = {}
        for name in list(sys.modules):
            if name.split(".")[0] in ("reactive", "relations"):
                del sys.modules[name]
        sys.path[:] = [p for p in sys.path if p in snap["sys_path"]]

    def run(self, hook, env, action=None):
        """Run ``hook``; ``action(endpoint_lookup)`` runs after dispatch, like a last handler."""
        from charmhelpers.core import hookenv, unitdata
        from charms import reactive
        from charms.reactive import bus

        self._reset()
        saved_env = dict(os.environ)
        saved_subprocess = hookenv.subprocess
        saved_dispatch = bus.dispatch
        os.environ.clear()
        os.environ.update(env)

        def dispatch(*args, **kwargs):
            saved_dispatch(*args, **kwargs)
            if action is not None:
                action(reactive.endpoint_from_name)

        try:
            hookenv.subprocess = _HookToolSubprocess()
            bus.dispatch = dispatch
            with self._compiled:
                reactive.main()
            return None
        except BaseException as e:  # a hook that raises or exits non-zero
            if isinstance(e, SystemExit) and e.code in (None, 0):
                return None
            return "".join(traceback.format_exception(type(e), e, e.__traceback__))
        finally:
            bus.dispatch = saved_dispatch
            hookenv.subprocess = saved_subprocess
            if unitdata._KV is not None:
                unitdata._KV.close()
                unitdata._KV = None
            os.environ.clear()
            os.environ.update(saved_env)


def _python_of(path, env):
    """The interpreter the hook file ``path`` names on its ``#!`` line, resolved on the
    hook's PATH as ``env`` would (``#!/usr/bin/env python3``), or None when the line is
    anything else: a hook the fork server does not run."""
    try:
        with open(path, "rb") as f:
            line = f.readline(256).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    words = line[2:].split() if line.startswith("#!") else []
    if len(words) == 2 and os.path.basename(words[0]) == "env":
        words = [shutil.which(words[1], path=env.get("PATH", ""))]
    if len(words) != 1 or not words[0] or not os.path.basename(words[0]).startswith("python"):
        return None
    return words[0]


class _ForkServer:
    """A running ``forkserver.py`` (see there): hook processes forked from a Python that
    has imported charms.reactive, for the hooks of one interpreter and ``PYTHONPATH``."""

    FILE = os.path.join(HERE, "forkserver.py")

    def __init__(self, python, env):
        startup = {k: v for k, v in env.items()
                   if not (k.startswith("JUJU_") or k in ("CHARM_DIR", "UNIT_STATE_DB"))}
        self.proc = subprocess.Popen([python, self.FILE], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=startup, cwd=HERE)
        self._buffer = b""

    def alive(self):
        return self.proc.poll() is None

    def _reply(self, deadline):
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return None
            if not select.select([fd], [], [], remaining)[0]:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError("jujusim fork server stopped")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def run(self, path, cwd, env, stdout, stderr, timeout):
        """Run hook file ``path``; returns its exit status (``subprocess``'s convention)."""
        request = {"path": path, "cwd": cwd, "env": env, "stdout": stdout, "stderr": stderr}
        self.proc.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
        self.proc.stdin.flush()
        pid = self._reply(None)["pid"]
        reply = self._reply(time.monotonic() + timeout)
        if reply is None:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reply(None)
            raise subprocess.TimeoutExpired([path], timeout)
        return reply["status"]

    def stop(self):
        if self.alive():
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class ExecRunner:
    """Executes ``<charm_dir>/hooks/<hook>`` as Juju would.

    A hook file that is a Python script (its ``#!`` line names a Python, as a built
    charm's do) and is executable runs in a process forked from a Python that has already
    imported charms.reactive (``forkserver.py``): the same file, environment, working
    directory and tool calls, without importing the framework again for every hook.
    ``fork=False`` (or ``JUJUSIM_FORK=0`` in the environment) starts a new interpreter
    for every hook file, as Juju does, and so does any other hook file.

    The hook's tool calls are answered by this process's tool server (``toolserver.py``:
    each tool process is a client, as Juju's tools are clients of the unit agent);
    ``tool_server=False`` (or ``JUJUSIM_TOOL_SERVER=0``) makes every tool process run the
    tool code itself.
    """

    TIMEOUT = 120
    _servers = {}  # (python, PYTHONPATH) -> _ForkServer, one set per test process

    def __init__(self, charm_dir, fork=None, tool_server=None):
        self.charm_dir = charm_dir
        self.fork = os.environ.get("JUJUSIM_FORK", "1") != "0" if fork is None else fork
        self.tool_server = (os.environ.get("JUJUSIM_TOOL_SERVER", "1") != "0"
                            if tool_server is None else tool_server)

    def run(self, hook, env, action=None):
        if action is not None:
            raise ValueError("an exec runner cannot run a test action inside the hook")
        path = os.path.join(self.charm_dir, "hooks", hook)
        if not os.path.exists(path):
            return None  # Juju skips hooks the charm does not have
        env = dict(env)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (HOSTSHIM_DIR, env.get("PYTHONPATH")) if p)
        # The hook's Python and every hook tool's keep their bytecode with the unit (its
        # workdir, beside the state file), so the charm's modules and the tools compile once
        # per unit rather than in every process, whatever PYTHONDONTWRITEBYTECODE says, and
        # nothing is written into the charm or this checkout.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        workdir = os.path.dirname(env["JUJU_SIM_STATE"])
        env["PYTHONPYCACHEPREFIX"] = os.path.join(workdir, "pycache")
        if self.tool_server:
            env[SOCKET_ENV] = ToolServer.address()
        server = self._server(path, env) if self.fork else None
        if server is None:
            proc = subprocess.run([path], cwd=self.charm_dir, env=env,
                                  capture_output=True, text=True, timeout=self.TIMEOUT)
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        else:
            out_path, err_path = (os.path.join(workdir, f"hook.{name}") for name in ("out", "err"))
            code = server.run(path, self.charm_dir, env, out_path, err_path, self.TIMEOUT)
            with open(out_path) as f_out, open(err_path) as f_err:
                out, err = f_out.read(), f_err.read()
        if code:
            return f"exit {code}\n{out}{err}"
        return None

    @classmethod
    def _server(cls, path, env):
        """The fork server for hook file ``path``, started on first use; None when the file
        is not an executable Python script."""
        python = _python_of(path, env) if os.access(path, os.X_OK) else None
        if python is None:
            return None
        key = (python, env["PYTHONPATH"])
        server = cls._servers.get(key)
        if server is None or not server.alive():
            server = cls._servers[key] = _ForkServer(python, env)
        return server

    @classmethod
    def stop_servers(cls):
        """Stop every fork server this process started (at exit, or by a test)."""
        for server in cls._servers.values():
            server.stop()
        cls._servers.clear()


atexit.register(ExecRunner.stop_servers)
atexit.register(ToolServer.stop)


RUNNERS = {"inprocess": InProcessRunner, "exec": ExecRunner}


# --------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------

class Unit:
    """One local unit of a reactive charm in a simulated Juju model.

    ``workdir`` holds ``state.json`` (the model), ``calls.jsonl`` (every hook
    tool call) and ``unit-state.db`` (the unit's charms.reactive state, which
    persists from hook to hook as on a real unit).
    ``address=None`` makes a unit with no usable address: its databags carry
    no ``ingress-address`` (nor Juju's other address keys).
    ``model_name`` and ``model_uuid`` are what ``JUJU_MODEL_NAME`` and
    ``JUJU_MODEL_UUID`` say (they end up in every topology identifier).
    ``subordinate`` (default: the charm's ``metadata.yaml``) makes a unit of a
    subordinate charm; Juju's rules for one apply (``jujusim.rules``).
    ``enforces_limits=False`` models a controller before Juju 2.8, which did
    not enforce an endpoint's ``limit`` (a layer must cope with two relations
    on a ``limit: 1`` endpoint); the attribute can change at any time.

    Asking for what Juju refuses (an endpoint the charm does not have, a
    relation past its ``limit``, a databag value that is not a string, ...)
    raises ``JujuError`` at the call, the model unchanged.
    """

    def __init__(self, workdir, charm_dir, unit="demo/0", charm_name=None, leader=True,
                 runner="inprocess", config=None, address="10.0.0.10", fqdn=None,
                 model_name="cos", model_uuid="0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                 lists_broken_relations=False, subordinate=None, enforces_limits=True):
        self.workdir = str(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.charm_dir = str(charm_dir)
        self.metadata = rules.load_metadata(self.charm_dir)
        self.endpoints = rules.endpoints(self.metadata)
        self.subordinate = bool(self.metadata.get("subordinate") if subordinate is None
                                else subordinate)
        rules.check_metadata(self.metadata, self.subordinate)
        self.enforces_limits = bool(enforces_limits)
        self.state_path = os.path.join(self.workdir, "state.json")
        self.calls_path = os.path.join(self.workdir, "calls.jsonl")
        self.db_path = os.path.join(self.workdir, "unit-state.db")
        self.runner = RUNNERS[runner](self.charm_dir)
        self.history = []
        state = st.new_state(unit, charm_name or unit.split("/")[0], leader=leader,
                             model_name=model_name, model_uuid=model_uuid,
                             address=address, fqdn=fqdn, config=config)
        # Juju < 3.4 still listed a relation in relation-ids during its -broken hook.
        state["lists_broken_relations"] = bool(lists_broken_relations)
        st.save(self.state_path, state)
        open(self.calls_path, "w").close()

    # -- state access -------------------------------------------------------

    @property
    def state(self):
        """The model as it is now (a fresh copy; edit through ``edit()``)."""
        return st.load(self.state_path)

    def edit(self, change):
        """Apply ``change(state)`` to the model, outside any hook."""
        state = self.state
        change(state)
        st.save(self.state_path, state)

    @property
    def name(self):
        return self.state["unit"]

    @property
    def app(self):
        return self.name.split("/")[0]

    def _key(self, rid):
        return str(rid).rsplit(":", 1)[-1]

    def relation(self, rid):
        """The state of relation ``rid`` (committed data only)."""
        return rules.relation_of(self.state, rid)[1]

    def local_app_data(self, rid):
        """Our application databag on ``rid``, as the remote side sees it."""
        return dict(self.relation(rid).get("local_app", {}))

    def local_unit_data(self, rid, juju_keys=False):
        """Our unit databag on ``rid`` as the remote side sees it; Juju's own keys left out."""
        bag = dict(self.relation(rid).get("local_unit", {}))
        if not juju_keys:
            for key in st.JUJU_ADDRESS_KEYS:
                bag.pop(key, None)
        return bag

    def relation_ids(self, endpoint):
        return ["{}:{}".format(r["endpoint"], k) for k, r in sorted(
            self.state["relations"].items(), key=lambda kv: int(kv[0])) if r["endpoint"] == endpoint]

    @property
    def status(self):
        """The unit's workload status as ``[state, message]`` (None before any status-set)."""
        return self.state["status"].get("unit")

    @property
    def status_history(self):
        """Every workload status the unit was set to, ``[state, message]``, oldest first
        (what ``juju show-status-log`` lists for the workload)."""
        return [list(_status_args(c["args"])) for c in self.calls
                if c["tool"] == "status-set" and "--application" not in c["args"]]

    @property
    def logs(self):
        """``(level, message)`` of every juju-log call of every hook this ``Unit`` ran."""
        return [entry for result in self.history for entry in result.logs]

    @property
    def warnings(self):
        """The messages of every juju-log call at WARNING level so far."""
        return [message for level, message in self.logs if level == "WARNING"]

    @property
    def calls(self):
        """Every hook tool call so far, in order."""
        return self._calls_since(0)

    def _calls_since(self, offset):
        """The calls logged from byte ``offset`` of the calls log on (the log only grows)."""
        with open(self.calls_path, "rb") as f:
            f.seek(offset)
            return [json.loads(line) for line in f.read().decode("utf-8").split("\n")
                    if line.strip()]

    @property
    def flags(self):
        """The reactive flags set on this unit, read from its unit state database."""
        return set(self._kv_prefix("reactive.states."))

    def kv(self, prefix=""):
        """The unit's key-value store (charmhelpers unitdata), keys starting with ``prefix``."""
        return self._kv_prefix(prefix)

    def _kv_prefix(self, prefix):
        import sqlite3

        if not os.path.exists(self.db_path):
            return {}
        conn = sqlite3.connect(self.db_path)
        try:
            rows = conn.execute("select key, data from kv where key like ?",
                                (prefix.replace("%", r"\%") + "%",)).fetchall()
        except sqlite3.OperationalError:
            rows = []
        finally:
            conn.close()
        return {k[len(prefix):]: json.loads(v) for k, v in rows}

    # -- running hooks --------------------------------------------------------

    def _principal(self, state):
        """A subordinate unit's principal: the remote unit of its container-scoped relation
        to a principal application ("" for a principal unit, as Juju says)."""
        if not self.subordinate:
            return ""
        for _, relation in sorted(state["relations"].items(), key=lambda kv: int(kv[0])):
            if relation.get("scope") == "container" and not relation.get("remote_subordinate"):
                for unit in sorted(relation["units"]):
                    return unit
        return ""

    def _env(self, hook, rid=None, remote_unit=None, departing=None):
        state = self.state
        env = {k: v for k, v in os.environ.items()
               if not (k.startswith("JUJU_") or k in ("CHARM_DIR", "UNIT_STATE_DB"))}
        env.update({
            "PATH": os.pathsep.join([tool_dir(), os.path.dirname(sys.executable), env.get("PATH", "")]),
            "CHARM_DIR": self.charm_dir,
            "JUJU_CHARM_DIR": self.charm_dir,
            "JUJU_UNIT_NAME": state["unit"],
            "JUJU_MODEL_NAME": state["model"]["name"],
            "JUJU_MODEL_UUID": state["model"]["uuid"],
            "JUJU_HOOK_NAME": hook,
            "JUJU_VERSION": JUJU_VERSION,
            "JUJU_AVAILABILITY_ZONE": "",
            "JUJU_PRINCIPAL_UNIT": self._principal(state),
            "JUJU_SIM_STATE": self.state_path,
            "JUJU_SIM_CALLS": self.calls_path,
            "UNIT_STATE_DB": self.db_path,
        })
        if rid is not None:
            key = self._key(rid)
            relation = state["relations"][key]
            env["JUJU_RELATION"] = relation["endpoint"]
            env["JUJU_RELATION_ID"] = "{}:{}".format(relation["endpoint"], key)
            env["JUJU_REMOTE_APP"] = relation["remote_app"]
            if remote_unit:
                env["JUJU_REMOTE_UNIT"] = remote_unit
            if departing:
                env["JUJU_DEPARTING_UNIT"] = departing
        return env

    def run_hook(self, hook, rid=None, remote_unit=None, departing=None, action=None,
                 check=True):
        """Run one hook; commit its writes if it succeeded, drop them if not.

        ``action(endpoint_from_name)`` (in-process runner only) runs inside the
        hook after all handlers, like a charm handler calling the layer's API.
        With ``check`` (the default), a failed hook raises ``HookFailed``.
        """
        env = self._env(hook, rid, remote_unit, departing)
        before = os.path.getsize(self.calls_path)
        error = self.runner.run(hook, env, action=action)
        state = self.state
        (st.discard if error else st.commit)(state)
        st.save(self.state_path, state)
        result = HookResult(hook, self._calls_since(before), error,
                            status=state["status"].get("unit"), flags=self.flags)
        self.history.append(result)
        if error and check:
            raise HookFailed(f"hook {hook} failed:\n{error}")
        return result

    # -- Juju's event sequences -----------------------------------------------

    def add_relation(self, endpoint, remote_app, app_data=None, bind_address=None,
                     interface=None, remote_endpoint=None, remote_subordinate=False):
        """Create a relation in the model without firing hooks; returns its id.

        Juju's rules apply (``relate()`` says which); ``JujuError`` if they refuse."""
        state = self.state
        spec = rules.check_relate(self, state, endpoint, remote_app, interface=interface,
                                  remote_endpoint=remote_endpoint,
                                  remote_subordinate=remote_subordinate)
        rules.check_databag(app_data, "app_data")
        return self._create_relation(endpoint, remote_app, spec, app_data=app_data,
                                     bind_address=bind_address, remote_endpoint=remote_endpoint,
                                     remote_subordinate=remote_subordinate)

    def _create_relation(self, endpoint, remote_app, spec, app_data=None, bind_address=None,
                         remote_endpoint=None, remote_subordinate=False):
        """Put a relation Juju allows into the model; returns its id."""
        holder = {}

        def change(state):
            key = str(state["next_relation_id"])
            state["next_relation_id"] += 1
            address = bind_address or state["address"]
            state["relations"][key] = {
                "endpoint": endpoint, "remote_app": remote_app, "units": {}, "departing": {},
                "app": dict(app_data or {}), "local_unit": st.juju_address_keys(address),
                "local_app": {}, "bind_address": address, "scope": spec["scope"],
                "interface": spec["interface"], "remote_endpoint": remote_endpoint,
                "remote_subordinate": bool(remote_subordinate),
            }
            holder["rid"] = f"{endpoint}:{key}"

        self.edit(change)
        return RelationId(holder["rid"])

    def relate(self, endpoint, remote_app, units=1, app_data=None, unit_data=None,
               addresses=None, interface=None, remote_endpoint=None, remote_subordinate=False,
               **kw):
        """Relate to ``remote_app`` the way Juju does: created, then joined/changed per unit.

        ``endpoint`` is this charm's endpoint (``metadata.yaml``), not an
        interface name. ``units`` is a count (units ``<remote_app>/0``, ``/1``, ...)
        or a list of unit names; ``app_data`` is the remote application databag,
        present from the start; ``unit_data`` maps unit names to their databags
        (strings only, as in Juju); ``addresses`` maps unit names to their
        ``ingress-address`` (default ``10.1.<relation number>.<n>``, n from 1).
        ``interface`` (the remote endpoint's interface, checked against ours),
        ``remote_endpoint`` (its name, for Juju's messages) and
        ``remote_subordinate`` (the remote application is a subordinate charm:
        the relation is container-scoped and has one remote unit, the one in
        this unit's container) describe the remote side.

        Refused with ``JujuError``, before any hook, as Juju refuses it: an
        endpoint the charm does not have, another interface, a relation past
        the endpoint's ``limit``, a container-scoped relation with no
        subordinate on either side or with more than one remote unit, a
        databag that is not strings.

        Returns the relation id (a ``RelationId``: a string, with the
        ``HookResult`` of each hook it ran in ``.hooks``, and ``.logs``,
        ``.warnings``, ``.status``, ``.flags``).
        """
        names = units if not isinstance(units, int) else [
            f"{remote_app}/{i}" for i in range(units)]
        state = self.state
        spec = rules.check_relate(self, state, endpoint, remote_app, interface=interface,
                                  remote_endpoint=remote_endpoint,
                                  remote_subordinate=remote_subordinate)
        rules.check_databag(app_data, "app_data")
        planned = {"remote_app": remote_app, "units": {}, "scope": spec["scope"]}
        where = f'relation "{endpoint}" to {remote_app}'
        for name in names:
            rules.check_new_unit(state, where, planned, name)
            planned["units"][name] = {}
        for name, bag in (unit_data or {}).items():
            if name not in planned["units"]:
                raise JujuError(f"unit_data has data for {name}, which is not one of the units "
                                f"related: {', '.join(names) or 'none'}")
            rules.check_databag(bag, f"unit_data[{name!r}]")
        rid = self.add_relation(endpoint, remote_app, app_data=app_data, interface=interface,
                                remote_endpoint=remote_endpoint,
                                remote_subordinate=remote_subordinate)
        hooks = [self.run_hook(f"{endpoint}-relation-created", rid=rid, **kw)]
        for name in names:
            result = self.add_unit(rid, name, (unit_data or {}).get(name),
                                   address=(addresses or {}).get(name), **kw)
            hooks.extend(result.hooks)
        return RelationId(rid, hooks)

    def add_peer(self, unit, data=None, endpoint=None, address=None, **kw):
        """Another unit of this application, ``unit``, joins the peer relation ``endpoint``
        (default: the charm's one peer endpoint), which Juju creates with the application:
        relation-created the first time, then joined and changed. ``data`` is that unit's
        databag. Returns the peer relation's id (a ``RelationId``, with the hooks run)."""
        peers = sorted(name for name, spec in self.endpoints.items() if spec["role"] == "peers")
        if endpoint is None and len(peers) == 1:
            endpoint = peers[0]
        if endpoint not in peers:
            raise JujuError(f'application "{self.app}" has no peer relation "{endpoint}" '
                            f"(its peer endpoints: {', '.join(peers) or 'none'})")
        rids = self.relation_ids(endpoint)
        hooks = []
        if rids:
            rid = rids[0]
        else:
            rid = self._create_relation(endpoint, self.app, self.endpoints[endpoint])
            hooks.append(self.run_hook(f"{endpoint}-relation-created", rid=rid, **kw))
        hooks.extend(self.add_unit(rid, unit, data, address=address, **kw).hooks)
        return RelationId(rid, hooks)

    def relation_state(self, rid):
        """``(state key, relation)`` of ``rid`` now; ``JujuError`` for a relation not in the model."""
        return rules.relation_of(self.state, rid)

    def add_unit(self, rid, unit, data=None, address=None, **kw):
        """A remote unit joins ``rid``: relation-joined, then relation-changed (its result,
        with both in ``.hooks``). ``address`` is its ``ingress-address``."""
        key, relation = self.relation_state(rid)
        rules.check_new_unit(self.state, rid, relation, unit)
        rules.check_databag(data, f"data of {unit}")

        def change(state):
            relation = state["relations"][key]
            index = len(relation["units"]) + len(relation.get("departing", {}))
            ip = address or f"10.1.{int(key) % 250}.{index % 250 + 1}"
            bag = st.juju_address_keys(ip)
            bag.update(data or {})
            relation["units"][unit] = bag

        self.edit(change)
        endpoint = relation["endpoint"]
        joined = self.run_hook(f"{endpoint}-relation-joined", rid=rid, remote_unit=unit, **kw)
        changed = self.run_hook(f"{endpoint}-relation-changed", rid=rid, remote_unit=unit, **kw)
        return _calls_result([joined, changed])

    def set_remote_app_data(self, rid, data, replace=False, **kw):
        """The remote leader writes its application databag: relation-changed.
        A value of ``None`` or ``""`` deletes its key, as in Juju."""
        key, relation = self.relation_state(rid)
        rules.check_databag(data, "remote application data", deletes=True)

        def change(state):
            bag = state["relations"][key]["app"]
            if replace:
                bag.clear()
            st.apply_settings(bag, data)

        self.edit(change)
        return self.run_hook("{}-relation-changed".format(relation["endpoint"]), rid=rid, **kw)

    def set_remote_unit_data(self, rid, unit, data, **kw):
        """A remote unit of the relation writes its databag: relation-changed.
        A value of ``None`` or ``""`` deletes its key, as in Juju."""
        key, relation = self.relation_state(rid)
        rules.check_member(rid, relation, unit)
        rules.check_databag(data, f"data of {unit}", deletes=True)
        self.edit(lambda state: st.apply_settings(state["relations"][key]["units"][unit], data))
        return self.run_hook("{}-relation-changed".format(relation["endpoint"]),
                             rid=rid, remote_unit=unit, **kw)

    def remove_unit(self, rid, unit, **kw):
        """A remote unit leaves ``rid``: relation-departed."""
        key, relation = self.relation_state(rid)
        rules.check_member(rid, relation, unit)

        def depart(state):
            relation = state["relations"][key]
            relation["departing"][unit] = relation["units"].pop(unit)

        self.edit(depart)
        try:
            return self.run_hook("{}-relation-departed".format(relation["endpoint"]),
                                 rid=rid, remote_unit=unit, departing=unit, **kw)
        finally:
            self.edit(lambda state: state["relations"][key]["departing"].pop(unit, None))

    depart = remove_unit

    def remove_relation(self, rid, **kw):
        """The relation is removed: departed for every remote unit, then broken (its
        result, with every hook in ``.hooks``)."""
        key, relation = self.relation_state(rid)
        hooks = [self.remove_unit(rid, unit, **kw) for unit in sorted(relation["units"])]
        self.edit(lambda state: state["relations"][key].update(broken=True))
        try:
            hooks.append(self.run_hook("{}-relation-broken".format(relation["endpoint"]),
                                       rid=rid, **kw))
        finally:
            self.edit(lambda state: state["relations"].pop(key, None))
        return _calls_result(hooks)

    def clear_flag(self, flag):
        """A hook (update-status) in which a charm handler clears ``flag``, as charms do
        with a layer's ``changed`` flag once they have handled it."""
        from charms.reactive import clear_flag

        return self.run_hook("update-status", action=lambda _: clear_flag(flag))

    def set_leader(self, leader, **kw):
        """Leadership changes: leader-elected for a new leader, leader-settings-changed otherwise."""
        self.edit(lambda state: state.update(leader=bool(leader)))
        return self.run_hook("leader-elected" if leader else "leader-settings-changed", **kw)

    def set_config(self, **values):
        """The operator changes config: config-changed."""
        self.edit(lambda state: state["config"].update(values))
        return self.run_hook("config-changed")

    def start(self, **kw):
        """A new unit's first hooks: install, leader-elected or -settings-changed, config-changed, start."""
        leader = self.state["leader"]
        results = [self.run_hook(h, **kw) for h in (
            "install", "leader-elected" if leader else "leader-settings-changed",
            "config-changed", "start")]
        return results
