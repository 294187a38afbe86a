"""The exec runner's two ways of running a built charm's hook file give the same hook.

``jujusim.driver.ExecRunner`` runs an executable Python hook file in a process forked
from a Python that has imported charms.reactive once (``jujusim/forkserver.py``); with
``fork = False`` it starts a new interpreter for the file, as Juju does. Everything a
test can see must be the same both ways: the tool calls and their arguments, the model
afterwards, the flags, the exit status and error text of a failing hook, a timeout, and
a hook file that cannot be executed. The same holds for the hook tools: answered by the
test process's tool server (``jujusim/toolserver.py``, each tool process its client) or
run by each tool process itself.
"""

import json
import os
import subprocess

import pytest

from jujusim.driver import BIN_DIR
from jujusim.toolserver import SOCKET_ENV, ToolServer

MIMIR = {"direct_url": "http://mimir.cos.svc:8080/prometheus"}

HANDLERS = '''
import sys
import time

from charms.reactive import hook


@hook("update-status")
def misbehave():
    what = open("misbehave").read().strip()
    if what == "raise":
        raise RuntimeError("handler failed on purpose")
    if what == "exit":
        sys.exit(3)
    if what == "sleep":
        time.sleep(60)
'''


def exec_unit(make_unit, charm, fork, tool_server=True):
    unit = make_unit(charm=charm, runner="exec")
    unit.runner.fork = fork
    unit.runner.tool_server = tool_server
    return unit


def call(record):
    """A tool call as a test sees it; the name of the file charmhelpers hands
    ``relation-set --file`` is a new temporary file every time."""
    args = list(record["args"])
    if "--file" in args:
        args[args.index("--file") + 1] = "<file>"
    return record["hook"], record["tool"], args


def story(unit):
    """A unit's life on the built charm: start, a relation on each side, config, the
    relation going away. Returns what a test can see of it."""
    results = unit.start()
    rid = unit.relate("metrics-api", "mimir", units=1)
    results.append(unit.set_remote_app_data(rid, MIMIR))
    provided = unit.relate("prometheus-api", "grafana", units=1)
    results.append(unit.set_config(**{"prometheus-direct-url": "HTTP://Demo:80/api"}))
    seen = {"local_app": unit.local_app_data(provided), "status": unit.status,
            "flags": unit.flags}
    results.append(unit.remove_relation(rid))
    calls = [[call(c) for c in r.calls] for r in results]
    return dict(seen, calls=calls, errors=[r.error for r in results], after=unit.flags,
                relations=unit.state["relations"], all_calls=[call(c) for c in unit.calls])


def test_forked_and_new_interpreter_hooks_make_the_same_calls_and_model(make_unit, built_charm):
    forked, spawned = (story(exec_unit(make_unit, built_charm, fork)) for fork in (True, False))
    assert forked["calls"] and all(forked["calls"])  # every hook called tools
    assert forked["local_app"] == {"direct_url": "http://demo/api"}
    assert forked == spawned


def test_hooks_leave_their_bytecode_beside_the_unit_not_in_the_charm(make_unit, built_charm):
    for fork in (True, False):
        unit = exec_unit(make_unit, built_charm, fork)
        unit.run_hook("install")
        in_charm = [d for d, dirs, _ in os.walk(unit.charm_dir) if "__pycache__" in dirs]
        assert in_charm == []
        assert os.listdir(os.path.join(unit.workdir, "pycache"))


@pytest.fixture
def misbehaving_charm(built_charm, tmp_path):
    import shutil

    charm = shutil.copytree(built_charm, str(tmp_path / "misbehaving"), symlinks=True)
    with open(os.path.join(charm, "reactive", "misbehave.py"), "w") as f:
        f.write(HANDLERS)
    return charm


def misbehave(unit, what):
    """update-status, in which the test's handler does ``what``."""
    with open(os.path.join(unit.charm_dir, "misbehave"), "w") as f:
        f.write(what)
    return unit.run_hook("update-status", check=False)


@pytest.mark.parametrize("what,status", [("raise", "exit 1"), ("exit", "exit 3")])
def test_a_failing_hook_fails_the_same_way_both_ways(make_unit, misbehaving_charm, what, status):
    errors = []
    for fork in (True, False):
        unit = exec_unit(make_unit, misbehaving_charm, fork)
        result = misbehave(unit, what)
        assert result.error is not None and result.error.splitlines()[0] == status
        errors.append(result.error)
    if what == "raise":
        for error in errors:
            assert "RuntimeError: handler failed on purpose" in error
            assert "forkserver" not in error and "runpy" not in error
            assert 'hooks/update-status", line' in error  # the traceback starts at the hook file


def test_a_hook_that_runs_too_long_is_stopped_both_ways(make_unit, misbehaving_charm, monkeypatch):
    for fork in (True, False):
        unit = exec_unit(make_unit, misbehaving_charm, fork)
        monkeypatch.setattr(unit.runner, "TIMEOUT", 2)
        with pytest.raises(subprocess.TimeoutExpired):
            misbehave(unit, "sleep")
        monkeypatch.undo()
        assert misbehave(unit, "none").error is None  # the runner still runs hooks after it


def test_a_hook_file_that_is_not_executable_is_not_run_either_way(make_unit, built_charm):
    for fork in (True, False):
        unit = exec_unit(make_unit, built_charm, fork)
        os.chmod(os.path.join(unit.charm_dir, "hooks", "install"), 0o644)
        with pytest.raises(PermissionError):
            unit.run_hook("install")


def test_served_and_standalone_tools_make_the_same_calls_and_model(make_unit, built_charm):
    served, standalone = (story(exec_unit(make_unit, built_charm, True, tool_server=server))
                          for server in (True, False))
    assert served["calls"] and all(served["calls"])
    assert served == standalone


def tool_calls(unit, cwd, served):
    """The same tool command lines, each run as an executable the way a hook runs them: with
    the tool server's socket in the environment or without; what each answered."""
    rid = unit.add_relation("prometheus-api", "grafana")
    with open(os.path.join(cwd, "settings.yaml"), "w") as f:
        f.write("from-file: a relative path\n")
    env = dict(os.environ, JUJU_SIM_STATE=unit.state_path, JUJU_SIM_CALLS=unit.calls_path,
               JUJU_UNIT_NAME=unit.name, JUJU_HOOK_NAME="test", JUJU_RELATION_ID=rid)
    env.pop(SOCKET_ENV, None)
    if served:
        env[SOCKET_ENV] = ToolServer.address()
    calls = [
        (["relation-ids", "--format=json", "prometheus-api"], None),
        (["relation-set", "--file", "-"], "from-stdin: 'yes'\nunicode: \u00e9t\u00e9\n"),
        (["relation-set", "--file", "settings.yaml"], None),
        (["relation-set", "not-a-setting"], None),                  # exit 2, Juju's error
        (["relation-get", "--format=json", "-", unit.name], None),
        (["relation-get", "-r", "prometheus-api:99", "-", "grafana/0"], None),  # exit 2
        (["relation-set", "--app", "k=v"], None),                   # not the leader: exit 1
        (["juju-log", "-l", "WARNING", "a line\nwith two"], None),
        (["config-get", "--format=json"], None),
    ]
    answers = []
    for argv, stdin in calls:
        proc = subprocess.run([os.path.join(BIN_DIR, argv[0])] + argv[1:], env=env, cwd=cwd,
                              input=stdin, capture_output=True, text=True)
        answers.append((argv[0], proc.returncode, proc.stdout, proc.stderr))
    return answers, [(c["tool"], c["args"]) for c in unit.calls], unit.state["relations"]


def test_a_served_tool_answers_as_a_tool_process_would(make_unit, tmp_path):
    results = []
    for served in (True, False):
        cwd = tmp_path / ("served" if served else "standalone")
        cwd.mkdir()
        results.append(tool_calls(make_unit(leader=False), str(cwd), served))
    served, standalone = results
    assert served == standalone
    codes = [code for _, code, _, _ in served[0]]
    assert codes == [0, 0, 0, 2, 0, 2, 1, 0, 0]
    written = json.loads(served[0][4][2])
    assert {k: written[k] for k in ("from-stdin", "unicode", "from-file")} == {
        "from-stdin": "yes", "unicode": "\u00e9t\u00e9", "from-file": "a relative path"}


def test_a_tool_whose_server_is_gone_fails_with_a_sentence(make_unit, tmp_path):
    unit = make_unit()
    env = dict(os.environ, JUJU_SIM_STATE=unit.state_path, JUJU_UNIT_NAME=unit.name)
    env[SOCKET_ENV] = str(tmp_path / "no-such-socket")
    proc = subprocess.run([os.path.join(BIN_DIR, "is-leader")], env=env, capture_output=True,
                          text=True)
    assert proc.returncode == 1
    assert proc.stderr.startswith("ERROR simulated Juju: no answer from the tool server at ")
