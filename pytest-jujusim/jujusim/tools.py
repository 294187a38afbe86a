"""Juju hook tools, simulated over the state file (see ``state.py``).

``run(argv, env, stdin)`` implements one tool call and returns
``(exit_code, stdout, stderr)``. The hook tool executables (``driver.tool_dir()``)
call it (or, in exec hooks, the tool server they are clients of: ``toolserver.py``), and
the in-process driver calls it directly with the very same command lines
charmhelpers builds. Every call is appended to the calls log
(``JUJU_SIM_CALLS``, one JSON object per line: hook, tool, args).

Errors mirror Juju's: exit 1 with ``ERROR ...`` on stderr for a forbidden
operation (a non-leader touching its application databag), exit 2 for
settings that do not exist.
"""

import json
import os
import sys

from . import state as st


def _yaml():
    """PyYAML, imported on first use: the executables start Python without site
    packages (``-S``, for speed) and add them only when a tool needs YAML."""
    try:
        import yaml
    except ImportError:
        import site

        site.main()
        import yaml
    return yaml

TOOLS = (
    "relation-ids", "relation-list", "relation-get", "relation-set",
    "is-leader", "leader-get", "leader-set", "juju-log", "status-set",
    "status-get", "config-get", "network-get", "unit-get", "goal-state",
    "application-version-set", "open-port", "close-port", "opened-ports",
)

RELATION_SET_HELP = """Usage: relation-set [options] key=value [key=value ...]

Options:
--app  (= false)
    pick whether you are setting "application" settings or "unit" settings
--file  (= )
    file containing key-value pairs
--format (= "")
    deprecated format flag
-r, --relation  (= )
    specify a relation by id
"""


class ToolError(Exception):
    """A hook tool failure: ``code`` is the exit status, the message goes to stderr."""

    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


def _log_call(env, tool, args):
    path = env.get("JUJU_SIM_CALLS")
    if not path:
        return
    record = {"hook": env.get("JUJU_HOOK_NAME", ""), "tool": tool, "args": list(args)}
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")


def _split_options(args, flags=(), valued=()):
    """Split ``args`` into ({option: value-or-True}, [positional])."""
    opts, positional = {}, []
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, inline = arg.partition("=")
        if arg.startswith("-") and name in valued:
            if eq:
                opts[name] = inline
            else:
                i += 1
                if i >= len(args):
                    raise ToolError(f"ERROR option needs an argument: {name}", 2)
                opts[name] = args[i]
        elif arg in flags:
            opts[arg] = True
        elif arg.startswith("-") and arg != "-":
            raise ToolError(f"ERROR flag provided but not defined: {arg}", 2)
        else:
            positional.append(arg)
        i += 1
    return opts, positional


def _format(value, fmt):
    if fmt == "json":
        return json.dumps(value) + "\n"
    if fmt == "yaml":
        return _yaml().safe_dump(value)
    if isinstance(value, (list, tuple)):
        return "".join(f"{v}\n" for v in value)
    if isinstance(value, dict):
        return _yaml().safe_dump(value) if value else ""
    if isinstance(value, bool):
        return "True\n" if value else "False\n"
    return f"{value}\n" if value is not None else ""


def _rid_key(rid, env):
    """'metrics-api:3' or '3' to the state's key '3'; the hook's relation by default."""
    rid = rid or env.get("JUJU_RELATION_ID", "")
    if not rid:
        raise ToolError("ERROR no relation id specified", 2)
    return rid.rsplit(":", 1)[-1]


def _relation(state, key):
    relation = state["relations"].get(key)
    if relation is None:
        raise ToolError(f'ERROR invalid value "{key}" for option -r: relation not found', 2)
    return relation


def _local_bag(state, key, which):
    """Our own databag as this hook sees it: committed data plus pending writes."""
    pending = state.get("pending", {}).get(key, {})
    if which in pending:
        return pending[which]
    return dict(state["relations"][key].get(which, {}))


def _require_leader(state, what):
    if not state.get("leader"):
        raise ToolError(f"ERROR permission denied: {what} requires leadership", 1)


def relation_ids(state, args, env):
    opts, pos = _split_options(args, valued=("--format",))
    endpoint = pos[0] if pos else env.get("JUJU_RELATION", "")
    # Juju 3.4 and later leave a relation being broken out of relation-ids
    # (older Juju listed it); state["lists_broken_relations"] models the old way.
    listed = [(k, r) for k, r in state["relations"].items()
              if r["endpoint"] == endpoint
              and (not r.get("broken") or state.get("lists_broken_relations"))]
    ids = ["{}:{}".format(r["endpoint"], k) for k, r in sorted(listed, key=lambda kv: int(kv[0]))]
    return _format(ids, opts.get("--format"))


def relation_list(state, args, env):
    opts, pos = _split_options(args, flags=("--app",), valued=("--format", "-r", "--relation"))
    key = _rid_key(opts.get("-r") or opts.get("--relation"), env)
    relation = _relation(state, key)
    if opts.get("--app"):
        return _format(relation["remote_app"], opts.get("--format"))
    return _format(sorted(relation["units"]), opts.get("--format"))


def relation_get(state, args, env):
    opts, pos = _split_options(args, flags=("--app",), valued=("--format", "-r", "--relation"))
    key = _rid_key(opts.get("-r") or opts.get("--relation"), env)
    relation = _relation(state, key)
    attribute = pos[0] if pos else "-"
    local_unit, local_app = state["unit"], state["unit"].split("/")[0]
    if opts.get("--app"):
        target = pos[1] if len(pos) > 1 else env.get("JUJU_REMOTE_APP", "")
        if target == local_app:
            _require_leader(state, "reading this application's relation data")
            bag = _local_bag(state, key, "local_app")
        elif target == relation["remote_app"]:
            bag = relation.get("app", {})
        else:
            raise ToolError(f'ERROR application "{target}" not in relation', 2)
    else:
        target = pos[1] if len(pos) > 1 else env.get("JUJU_REMOTE_UNIT", "")
        if target == local_unit:
            bag = _local_bag(state, key, "local_unit")
        elif target in relation["units"]:
            bag = relation["units"][target]
        elif target in relation.get("departing", {}):
            bag = relation["departing"][target]
        else:
            raise ToolError(f'ERROR cannot read settings for unit "{target}" in relation "{key}": '
                            'settings not found', 2)
    value = dict(bag) if attribute == "-" else bag.get(attribute, "")
    return _format(value, opts.get("--format"))


def relation_set(state, args, env, stdin=None, cwd=None):
    if args == ["--help"]:
        return RELATION_SET_HELP
    opts, pos = _split_options(args, flags=("--app",),
                               valued=("--format", "-r", "--relation", "--file"))
    key = _rid_key(opts.get("-r") or opts.get("--relation"), env)
    _relation(state, key)
    settings = {}
    if "--file" in opts:
        source = opts["--file"]
        if source == "-":
            text = stdin
        else:  # a relative path is the caller's (the tool server's caller's cwd)
            with open(os.path.join(cwd, source) if cwd else source) as f:
                text = f.read()
        loaded = _yaml().safe_load(text) or {}
        if not isinstance(loaded, dict):
            raise ToolError("ERROR expected YAML map of settings", 2)
        settings.update(loaded)
    for item in pos:
        k, eq, v = item.partition("=")
        if not eq:
            raise ToolError(f'ERROR expected "key=value", got "{item}"', 2)
        settings[k] = v
    which = "local_app" if opts.get("--app") else "local_unit"
    if which == "local_app":
        _require_leader(state, "setting application relation data")
    for k, v in settings.items():
        if v is not None and not isinstance(v, str):
            raise ToolError(f"ERROR value of {k!r} is not a string", 2)
    bag = _local_bag(state, key, which)
    st.apply_settings(bag, settings)
    state.setdefault("pending", {}).setdefault(key, {})[which] = bag
    return ""


def is_leader(state, args, env):
    opts, _ = _split_options(args, valued=("--format",))
    return _format(bool(state["leader"]), opts.get("--format"))


def leader_get(state, args, env):
    opts, pos = _split_options(args, valued=("--format",))
    attribute = pos[0] if pos else "-"
    data = state["leader_settings"]
    return _format(dict(data) if attribute == "-" else data.get(attribute, ""), opts.get("--format"))


def leader_set(state, args, env):
    _require_leader(state, "leader-set")
    _, pos = _split_options(args)
    st.apply_settings(state["leader_settings"], dict(p.partition("=")[::2] for p in pos))
    return ""


def juju_log(state, args, env):
    _split_options(args, flags=("--debug",), valued=("-l", "--log-level"))
    return ""


def status_set(state, args, env):
    opts, pos = _split_options(args, flags=("--application",))
    if not pos or pos[0] not in ("maintenance", "blocked", "waiting", "active"):
        raise ToolError(f"ERROR invalid status {pos[:1]}", 2)
    which = "application" if opts.get("--application") else "unit"
    if which == "application":
        _require_leader(state, "setting application status")
    state["status"][which] = [pos[0], pos[1] if len(pos) > 1 else ""]
    return ""


def status_get(state, args, env):
    opts, _ = _split_options(args, flags=("--include-data", "--application"), valued=("--format",))
    current = state["status"].get("unit", ["unknown", ""])
    return _format({"status": current[0], "message": current[1], "status-data": {}},
                   opts.get("--format"))


def _config_defaults(env):
    """The defaults of the charm's config.yaml: Juju's config-get includes them."""
    path = os.path.join(env.get("CHARM_DIR", ""), "config.yaml")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        options = (_yaml().safe_load(f) or {}).get("options") or {}
    return {name: option["default"] for name, option in options.items()
            if isinstance(option, dict) and option.get("default") is not None}


def config_get(state, args, env):
    opts, pos = _split_options(args, flags=("--all", "-a"), valued=("--format",))
    config = _config_defaults(env)
    config.update(state["config"])
    return _format(config.get(pos[0]) if pos else dict(config), opts.get("--format"))


def network_get(state, args, env):
    opts, pos = _split_options(args, flags=("--primary-address", "--ingress-address",
                                            "--bind-address"),
                               valued=("--format", "-r", "--relation"))
    if not pos:
        raise ToolError("ERROR no endpoint name specified", 2)
    address = state["address"]
    key = opts.get("-r") or opts.get("--relation")
    if key:
        address = _relation(state, _rid_key(key, env)).get("bind_address") or address
    if opts.get("--primary-address") or opts.get("--ingress-address") or opts.get("--bind-address"):
        return f"{address}\n"
    info = {
        "bind-addresses": [{"interface-name": "eth0",
                            "addresses": [{"hostname": "", "value": address,
                                           "cidr": f"{address}/32"}]}],
        "egress-subnets": [f"{address}/32"],
        "ingress-addresses": [address],
    }
    return _format(info, opts.get("--format") or "yaml")


def unit_get(state, args, env):
    opts, pos = _split_options(args, valued=("--format",))
    if not pos or pos[0] not in ("private-address", "public-address"):
        raise ToolError(f"ERROR unknown setting {pos[:1]}", 2)
    return _format(state["address"], opts.get("--format"))


def goal_state(state, args, env):
    opts, _ = _split_options(args, valued=("--format",))
    relations = {}
    for rel in state["relations"].values():
        units = relations.setdefault(rel["endpoint"], {})
        units[rel["remote_app"]] = {"status": "joined", "since": ""}
        for unit in rel["units"]:
            units[unit] = {"status": "active", "since": ""}
    goal = {"units": {state["unit"]: {"status": "active", "since": ""}}, "relations": relations}
    return _format(goal, opts.get("--format"))


def application_version_set(state, args, env):
    _, pos = _split_options(args)
    state["application_version"] = pos[0] if pos else ""
    return ""


def ports(state, args, env):
    _split_options(args, valued=("--format", "--endpoints"))
    return ""


HANDLERS = {
    "relation-ids": relation_ids,
    "relation-list": relation_list,
    "relation-get": relation_get,
    "relation-set": relation_set,
    "is-leader": is_leader,
    "leader-get": leader_get,
    "leader-set": leader_set,
    "juju-log": juju_log,
    "status-set": status_set,
    "status-get": status_get,
    "config-get": config_get,
    "network-get": network_get,
    "unit-get": unit_get,
    "goal-state": goal_state,
    "application-version-set": application_version_set,
    "open-port": ports,
    "close-port": ports,
    "opened-ports": ports,
}

#: Tools that change the model; the others only read it.
WRITERS = {"relation-set", "leader-set", "status-set", "application-version-set"}


def run(argv, env=None, stdin=None, cwd=None):
    """Run hook tool ``argv`` against the state file named by ``JUJU_SIM_STATE``; ``cwd`` is
    the caller's working directory when it is not this process's (the tool server)."""
    env = os.environ if env is None else env
    tool = os.path.basename(argv[0])
    args = list(argv[1:])
    handler = HANDLERS.get(tool)
    if handler is None:
        return 127, "", f"{tool}: not a simulated hook tool\n"
    if args != ["--help"]:
        _log_call(env, tool, args)
    path = env.get("JUJU_SIM_STATE")
    if not path:
        return 1, "", "ERROR JUJU_SIM_STATE is not set: not in a simulated hook\n"
    state = st.load(path)
    try:
        if handler is relation_set:
            out = handler(state, args, env, stdin=stdin, cwd=cwd)
        else:
            out = handler(state, args, env)
    except ToolError as e:
        return e.code, "", f"{e}\n"
    if tool in WRITERS:
        st.save(path, state)
    return 0, out, ""


def main():
    """Entry point of the hook tool executables (``driver.tool_dir()``)."""
    stdin = None
    if "--file" in sys.argv and "-" in sys.argv:
        stdin = sys.stdin.read()
    code, out, err = run(sys.argv, stdin=stdin)
    sys.stdout.write(out)
    sys.stderr.write(err)
    sys.exit(code)
