"""The hook tool server: the simulated hook tools of exec hooks, answered in the test process.

Juju's hook tools (``relation-get``, ``juju-log``, ...) are small clients of the unit agent:
each connects to the agent's socket (``JUJU_AGENT_SOCKET``), sends its command line and
gets back its output and exit status; the agent does the work. The simulator's tools
(``hook-tool`` in ``driver.tool_dir()``, every tool name links to it) do the same when
``JUJU_SIM_TOOLS_SOCKET`` names this server's socket: the client sends its command line, environment, working
directory and (for ``--file -``) its standard input; the server runs the same tool code
(``tools.run``) against the same state file and sends back exit status, output and error.
A tool call then costs a Python start without site packages and one round trip, not the
import of ``json`` and the tool code in every call (a hook makes 15 to 40 of them).

The exec runner starts one server per test process, on first use, in a thread; it answers
one call at a time (a hook calls its tools one after the other). Without the variable (the
in-process runner never sets it; ``JUJUSIM_TOOL_SERVER=0`` or ``ExecRunner(tool_server=
False)`` for exec hooks) every tool process runs the tool code itself, as before:
``tests/crosslayer/test_exec_runner.py`` runs the same hooks both ways and requires the
same calls and model.

Wire: both ways one ``marshal`` value (version 2; built-in, so the client imports nothing),
the client's request ``(argv, environ, cwd, stdin or None)`` ended by shutting down its
writing side, the answer ``(exit status, stdout, stderr)``.
"""

import marshal
import os
import shutil
import socket
import tempfile
import threading
import traceback

from . import tools

SOCKET_ENV = "JUJU_SIM_TOOLS_SOCKET"
MARSHAL_VERSION = 2


def _answer(request):
    """(code, out, err) of one tool call ``request`` = (argv, env, cwd, stdin)."""
    argv, env, cwd, stdin = request
    try:
        return tools.run(argv, env=env, stdin=stdin, cwd=cwd)
    except Exception:  # a bug in the tool code: what a tool process would print and exit with
        return 1, "", traceback.format_exc()


class ToolServer:
    """One listening socket and the thread that answers it (``address()`` starts it)."""

    _current = None
    _lock = threading.Lock()

    def __init__(self):
        # A short path of its own: a Unix socket's path has at most 107 bytes, and a test's
        # temporary directory can be longer than that.
        self.dir = tempfile.mkdtemp(prefix="jujusim-tools-")
        self.path = os.path.join(self.dir, "socket")
        self.pid = os.getpid()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(16)
        self.thread = threading.Thread(target=self._serve, name="jujusim-tool-server",
                                       daemon=True)
        self.thread.start()

    @classmethod
    def address(cls):
        """The socket path of this process's server, started on first use."""
        with cls._lock:
            server = cls._current
            if server is None or server.pid != os.getpid() or not server.thread.is_alive():
                server = cls._current = cls()
            return server.path

    @classmethod
    def stop(cls):
        """Stop this process's server (at exit, or by a test) and remove its socket."""
        with cls._lock:
            server, cls._current = cls._current, None
        if server is not None and server.pid == os.getpid():
            server.sock.close()
            shutil.rmtree(server.dir, ignore_errors=True)

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed by stop()
                return
            with conn:
                try:
                    chunks = []
                    while True:
                        chunk = conn.recv(1 << 16)
                        if not chunk:
                            break
                        chunks.append(chunk)
                    reply = _answer(marshal.loads(b"".join(chunks)))
                    conn.sendall(marshal.dumps(reply, MARSHAL_VERSION))
                except (OSError, EOFError, ValueError, TypeError):
                    continue  # the client went away (its hook was stopped) or sent garbage
