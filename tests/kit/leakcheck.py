"""Secrets must never reach a log line, a status message or a hook's error text.

``LeakWatch`` follows simulated units: every time the simulated Juju saves a
unit's model (after each hook, and after each tool call that writes), it
collects the secrets in it:

* bearer tokens: the value of every databag key or config option whose name
  contains ``token``, and of the ``bearer_token`` a provider layer remembers in
  the unit's key-value store;
* URL passwords: the password part of every ``scheme://user:password@host`` in
  any databag value or config value (raw, and percent-decoded).

``leaks(unit)`` then lists every recorded ``juju-log`` / ``status-set``
argument and every hook error text that contains one of those secrets.

Not looked for, because no check could tell them from text shown by design:

* secrets shorter than ``MIN_SECRET`` characters (a three-letter "password"
  appears in ordinary text by chance);
* a secret that is part of the code's own text: a string literal of a layer or
  of the example charm (a log template, a key name) or a key Juju itself puts
  in every databag (``private-address``...). The fuzz tests draw such values:
  Hypothesis feeds the code's own string constants back as data.

charms.reactive's trace lines (``tracer: ...`` and ``Reactive main running
for hook ...``, logged at DEBUG) are not checked: they list flag and handler
names, which carry relation data *keys* (``endpoint.<name>.changed.<key>``)
and never values.
"""

import ast
import functools
import json
import os
import re
from urllib.parse import unquote

from jujusim import state as st
from kit import helpers

MIN_SECRET = 8
#: Hook tools whose arguments an operator reads (``juju debug-log``, ``juju status``).
VISIBLE_TOOLS = ("juju-log", "status-set")
#: Keys Juju writes into every unit databag.
JUJU_KEYS = ("private-address", "ingress-address", "egress-subnets")
#: How charms.reactive's own log lines begin (after ``-l LEVEL``), see the module docstring.
FRAMEWORK_LINES = ("tracer", "Reactive main running for hook")
#: a URL's authority: what follows "://" up to the path, query or fragment (linear time:
#: every match starts at a "://" and stops at the next "/")
_AUTHORITY_RE = re.compile(r"://([^/?#\\\s]*)")


def url_passwords(text):
    """The password parts of the URLs in ``text`` (raw and percent-decoded)."""
    out = set()
    if "@" not in text:
        return out
    for match in _AUTHORITY_RE.finditer(text):
        userinfo, at, _ = match.group(1).rpartition("@")
        _, colon, password = userinfo.partition(":")
        if at and colon and password:
            out.update({password, unquote(password)})
    return out


@functools.lru_cache(maxsize=None)
def code_text():
    """Every string literal of the layers and the example charm's handlers, and Juju's keys."""
    texts = set(JUJU_KEYS)
    folders = [os.path.join(helpers.ROOT, d) for d in sorted(os.listdir(helpers.ROOT))
               if d.startswith("interface-")]
    folders.append(os.path.join(helpers.EXAMPLE, "reactive"))
    for folder in folders:
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py"):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    tree = ast.parse(f.read())
                texts.update(node.value for node in ast.walk(tree)
                             if isinstance(node, ast.Constant) and isinstance(node.value, str))
    return tuple(texts)


def lookable(secret):
    """Whether a leak of ``secret`` can be told from text shown by design (module docstring)."""
    return len(secret.strip()) >= MIN_SECRET and not any(secret in text for text in code_text())


def visible_text(tool, args):
    """What an operator reads of one hook tool call, or None for a framework trace line."""
    if tool not in VISIBLE_TOOLS:
        return None
    if tool == "juju-log" and args and args[-1].startswith(FRAMEWORK_LINES):
        return None
    return " ".join(args)


def secrets_shown(secrets, texts):
    """``[(secret, text)]`` for every lookable secret in one of ``texts``."""
    secrets = [s for s in secrets if lookable(s)]
    return [(s, t) for t in texts for s in secrets if s in t]


def secrets_in_bag(bag):
    """Tokens (values of keys naming a token) and URL passwords in a mapping of values."""
    out = set()
    for key, value in (bag or {}).items():
        if not isinstance(value, str):
            value = json.dumps(value)
        if "token" in str(key).lower():
            out.add(value)
        out.update(url_passwords(value))
    return out


def secrets_in_state(state):
    """Every secret in a simulated model: all databags (committed and pending) and config."""
    out = secrets_in_bag(state.get("config"))
    for relation in state.get("relations", {}).values():
        for which in ("app", "local_app", "local_unit"):
            out |= secrets_in_bag(relation.get(which))
        for group in ("units", "departing"):
            for bag in relation.get(group, {}).values():
                out |= secrets_in_bag(bag)
    for bags in state.get("pending", {}).values():
        for bag in bags.values():
            out |= secrets_in_bag(bag)
    return out


def secrets_in_kv(unit):
    """What a provider layer remembered from ``publish()``: bearer tokens and URL passwords."""
    out = set()
    for value in unit.kv("interface.").values():
        if isinstance(value, dict):
            out |= secrets_in_bag(value)
    return out


class LeakWatch:
    """Collects the secrets each watched unit's model ever held; finds them in what it showed."""

    def __init__(self):
        self.units = []
        self._seen = {}  # state path -> secrets

    def watch(self, unit):
        """Follow ``unit`` from now on (its current model counts too)."""
        self.units.append(unit)
        self._seen.setdefault(unit.state_path, set()).update(secrets_in_state(unit.state))
        return unit

    def forget(self, unit):
        """Stop following ``unit`` (a test that leaks on purpose, to prove a check fails)."""
        self.units = [u for u in self.units if u is not unit]

    def patch(self, monkeypatch):
        """Make ``jujusim.state.save`` report every model it writes to this watch."""
        save = st.save

        def watching_save(path, state):
            seen = self._seen.get(path)
            if seen is not None:
                seen.update(secrets_in_state(state))
            return save(path, state)

        monkeypatch.setattr(st, "save", watching_save)

    def secrets(self, unit):
        found = self._seen.get(unit.state_path, set()) | secrets_in_kv(unit)
        return {s for s in found if lookable(s)}

    def leaks(self, unit):
        """``[(where, secret)]``: every visible text of ``unit`` that contains a secret."""
        secrets = self.secrets(unit)
        if not secrets:
            return []
        texts = [(f"{c['hook']}: {c['tool']}", visible_text(c["tool"], c["args"]))
                 for c in unit.calls]
        texts += [(f"{r.name}: error", r.error) for r in unit.history if r.error]
        return [(where, secret) for where, text in texts if text
                for secret in secrets if secret in text]
