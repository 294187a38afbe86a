"""The simulated Juju model: one local unit's view, kept in a JSON state file.

The state file is the single source of truth shared by the hook tools (the
executables of ``driver.tool_dir()``, or the same code called in-process) and the test
driver. Its shape::

    {
      "model": {"name": "cos", "uuid": "..."},
      "unit": "demo/0",                 # the local unit
      "charm_name": "demo",
      "leader": true,
      "config": {...},                  # what config-get returns
      "leader_settings": {...},         # leader-get / leader-set
      "address": "10.0.0.10",           # unit-get private-address, network-get;
                                        # null: no usable address (no ingress-address)
      "fqdn": "demo-0.demo-endpoints.cos.svc.cluster.local",
      "next_relation_id": 7,
      "relations": {
        "3": {
          "endpoint": "metrics-api",
          "remote_app": "mimir",
          "units": {"mimir/0": {...databag...}},   # joined remote units
          "departing": {"mimir/1": {...}},           # readable during -departed
          "app": {...},                              # remote application databag
          "local_unit": {...},                       # our unit databag
          "local_app": {...},                        # our application databag
          "bind_address": "10.0.0.10"                # our address on it
        }
      },
      "pending": {"3": {"local_unit": {...}, "local_app": {...}}},
      "status": {"unit": [state, message], "application": [state, message]},
      "application_version": "..."
    }

Juju's rules that the tools enforce: every value is a string and an empty
value deletes the key; only the leader may read or write its own application
databag; writes made during a hook (``pending``) are visible to the writing
unit at once and committed to the databags only when the hook succeeds.
"""

import json
import os

#: Keys Juju itself writes into every unit databag on every relation.
JUJU_ADDRESS_KEYS = ("ingress-address", "private-address", "egress-subnets")


def juju_address_keys(address):
    """The databag entries Juju adds for a unit reachable at ``address`` (none without one)."""
    if not address:
        return {}
    return {
        "ingress-address": address,
        "private-address": address,
        "egress-subnets": f"{address}/32",
    }


def load(path):
    """Read the state file at ``path``."""
    with open(path) as f:
        return json.load(f)


def save(path, state):
    """Write ``state`` to ``path`` atomically (write, then rename)."""
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def new_state(unit, charm_name, leader=True, model_name="cos",
              model_uuid="0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
              address="10.0.0.10", fqdn=None, config=None):
    """A model with one local unit and no relations."""
    app = unit.split("/")[0]
    return {
        "model": {"name": model_name, "uuid": model_uuid},
        "unit": unit,
        "charm_name": charm_name,
        "leader": bool(leader),
        "config": dict(config or {}),
        "leader_settings": {},
        "address": address,
        "fqdn": fqdn or "{}-{}.{}-endpoints.{}.svc.cluster.local".format(
            app, unit.split("/")[1], app, model_name),
        "next_relation_id": 1,
        "relations": {},
        "pending": {},
        "status": {},
        "application_version": "",
    }


def apply_settings(bag, settings):
    """Apply ``settings`` to a databag by Juju's rule: empty or None deletes."""
    for key, value in settings.items():
        if value is None or value == "":
            bag.pop(key, None)
        else:
            bag[key] = str(value)


def commit(state):
    """Make the writes of the hook that just succeeded visible to everyone."""
    for rid, bags in state.get("pending", {}).items():
        relation = state["relations"].get(rid)
        if relation is None:
            continue
        for which in ("local_unit", "local_app"):
            if which in bags:
                relation[which] = bags[which]
    state["pending"] = {}


def discard(state):
    """Drop the writes of a hook that failed, as Juju does."""
    state["pending"] = {}
