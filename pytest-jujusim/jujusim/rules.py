"""Juju's rules for what a test asks of the model, checked at the call.

A test that relates an endpoint the charm does not have, or writes a databag
Juju could never hold, must fail where it asks for it, with the words Juju
uses where Juju has them, not later inside a layer with an error that looks
like a layer bug. ``jujusim.driver.Unit`` calls these checks before it
changes the model; each raises ``JujuError``.

Juju's own messages (juju/juju ``state.AddRelation``, ``Application.Endpoint``,
charm metadata validation) are quoted for: an endpoint the charm does not
have, endpoints that do not relate (another interface), a relation past an
endpoint's ``limit``, a container-scoped relation between two principals, a
subordinate charm without a container-scoped ``requires`` endpoint, a relation
that already exists. Where Juju never gets that far (a second remote unit on a
container-scoped relation; data for a unit that is not in the relation; a
value that is not a string, which Juju's API cannot even carry), the sentence
is the simulator's own and says what Juju would have done.
"""

import os
import re

import yaml


class JujuError(ValueError):
    """Juju refuses what the test asked for (the model is left unchanged)."""


#: Juju's unit names: ``<application>/<number>``.
UNIT_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*/[0-9]+$")


def load_metadata(charm_dir):
    """The charm's ``metadata.yaml`` as Juju validates it at deploy."""
    path = os.path.join(charm_dir, "metadata.yaml")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        meta = yaml.safe_load(f) or {}
    return meta


def endpoints(meta):
    """``{endpoint: {"role", "interface", "scope", "limit"}}`` of a charm's metadata."""
    out = {}
    for role in ("provides", "requires", "peers"):
        for name, spec in (meta.get(role) or {}).items():
            spec = spec or {}
            out[name] = {"role": role, "interface": spec.get("interface"),
                         "scope": spec.get("scope") or "global", "limit": int(spec.get("limit") or 0)}
    return out


def check_metadata(meta, subordinate):
    """Juju's deploy-time rule for a subordinate charm's metadata."""
    if not subordinate:
        return
    if not any(spec.get("scope") == "container" for spec in (meta.get("requires") or {}).values()
               if isinstance(spec, dict)):
        raise JujuError('subordinate charm "{}" lacks "requires" relation with container scope'
                        .format(meta.get("name")))


def relation_key(app, endpoint, remote_app, remote_endpoint):
    """Juju's name of a relation, as its error messages quote it: ``"a:x b:y"``."""
    ours = f"{app}:{endpoint}"
    theirs = f"{remote_app}:{remote_endpoint}" if remote_endpoint else remote_app
    return " ".join(sorted([ours, theirs]))


def check_relate(unit, state, endpoint, remote_app, interface=None, remote_endpoint=None,
                 remote_subordinate=False):
    """Juju's rules for ``juju integrate <app>:<endpoint> <remote_app>``; returns the
    endpoint's spec with the relation's ``scope`` (container if either side is)."""
    app = state["unit"].split("/")[0]
    eps = unit.endpoints
    key = relation_key(app, endpoint, remote_app, remote_endpoint)
    spec = eps.get(endpoint)
    if spec is None:
        message = f'application "{app}" has no "{endpoint}" relation'
        named = sorted(name for name, s in eps.items() if s["interface"] == endpoint)
        if named:
            message += (f' ("{endpoint}" is the interface of its endpoint {", ".join(named)}: '
                        "relate() takes the endpoint name, as juju integrate does)")
        elif eps:
            message += f" (its endpoints: {', '.join(sorted(eps))})"
        raise JujuError(message)
    if spec["role"] == "peers":
        raise JujuError(f'cannot add relation "{key}": "{endpoint}" is a peer relation, which '
                        "Juju creates by itself when the application is deployed")
    if not isinstance(remote_app, str) or not UNIT_NAME.match(f"{remote_app}/0"):
        raise JujuError(f"{remote_app!r} is not a valid application name")
    if remote_app == app:
        raise JujuError(f'cannot add relation "{key}": endpoints do not relate '
                        "(an application does not relate to itself but through a peer relation)")
    if interface is not None and interface != spec["interface"]:
        raise JujuError(f'cannot add relation "{key}": endpoints do not relate '
                        f'({app}:{endpoint} has interface "{spec["interface"]}", '
                        f'the remote endpoint "{interface}")')
    scope = "container" if spec["scope"] == "container" or remote_subordinate else "global"
    if scope == "container" and not (unit.subordinate or remote_subordinate):
        raise JujuError(f'cannot add relation "{key}": container scoped relation requires at '
                        "least one subordinate application (make_unit(subordinate=True) for a "
                        "unit of a subordinate charm, relate(..., remote_subordinate=True) for a "
                        "subordinate remote application)")
    live = [r for r in state["relations"].values() if r["endpoint"] == endpoint and not r.get("broken")]
    for r in live:
        if r["remote_app"] == remote_app and r.get("remote_endpoint") == remote_endpoint:
            raise JujuError(f'cannot add relation "{key}": relation {key} already exists')
    if spec["limit"] and unit.enforces_limits and len(live) >= spec["limit"]:
        raise JujuError(f'cannot add relation "{key}": establishing a new relation for '
                        f'{app}:{endpoint} would exceed its maximum relation limit of '
                        f'{spec["limit"]} (quota limit exceeded)')
    return dict(spec, scope=scope)


def check_new_unit(state, rid, relation, unit):
    """A remote unit may join ``relation``: a unit of its application, not already in it,
    and on a container-scoped relation the one unit that shares this unit's container."""
    remote_app = relation["remote_app"]
    if not isinstance(unit, str) or not UNIT_NAME.match(unit) or unit.split("/")[0] != remote_app:
        raise JujuError(f"{unit!r} is not a unit of {remote_app}, the remote application of "
                        f"relation {rid} (unit names are {remote_app}/<number>)")
    if unit in relation["units"] or unit in relation.get("departing", {}):
        raise JujuError(f"unit {unit} is already in relation {rid}")
    if relation.get("scope") == "container" and relation["units"]:
        (there,) = sorted(relation["units"])
        raise JujuError(
            f"relation {rid} is container-scoped: a unit is related only to the unit in its own "
            f"container, and {there} is already there; Juju never adds {unit} to it (a subordinate "
            "unit comes with each principal unit, and each of those is another unit's relation)")


def check_member(rid, relation, unit):
    """``unit`` is a remote unit of the relation (joined, not departed)."""
    if unit not in relation["units"]:
        units = ", ".join(sorted(relation["units"])) or "none"
        raise JujuError(f"unit {unit} is not in relation {rid} (its remote units: {units}); "
                        "add_unit() it first")


def check_databag(data, what, deletes=False):
    """Relation data as Juju holds it: string keys and string values (``None`` or ``""``
    deletes a key where ``deletes``)."""
    if data is None:
        return
    if not isinstance(data, dict):
        raise JujuError(f"{what} must be a dict of strings, not {type(data).__name__}")
    for key, value in data.items():
        if not isinstance(key, str) or not key:
            raise JujuError(f"{what}: key {key!r} is not a string: Juju relation data keys "
                            "and values are strings")
        if value is None and deletes:
            continue
        if not isinstance(value, str):
            raise JujuError(
                f"{what}[{key!r}] is {value!r} ({type(value).__name__}), not a string: Juju "
                "relation data holds only strings; write what the remote charm writes, "
                "e.g. json.dumps(value) for a JSON key or \"true\" for a flag")


def relation_of(state, rid):
    """The relation ``rid`` of the model, or a ``JujuError`` naming the ones there are."""
    key = str(rid).rsplit(":", 1)[-1]
    relation = state["relations"].get(key)
    if relation is None:
        known = ", ".join("{}:{}".format(r["endpoint"], k) for k, r in sorted(
            state["relations"].items(), key=lambda kv: int(kv[0]))) or "none"
        raise JujuError(f"relation {rid} not found (relations in the model: {known})")
    return key, relation
