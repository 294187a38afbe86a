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
Secrets shorter than ``MIN_SECRET`` characters are not looked for: a
three-letter "password" appears in ordinary text by chance.
"""

import json
import re
from urllib.parse import unquote

from jujusim import state as st

MIN_SECRET = 8
#: Hook tools whose arguments an operator reads (``juju debug-log``, ``juju status``).
VISIBLE_TOOLS = ("juju-log", "status-set")
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
        self.extra = set()
        self._seen = {}  # state path -> secrets

    def watch(self, unit):
        """Follow ``unit`` from now on (its current model counts too)."""
        self.units.append(unit)
        self._seen.setdefault(unit.state_path, set()).update(secrets_in_state(unit.state))
        return unit

    def forget(self, unit):
        """Stop following ``unit`` (a test that leaks on purpose, to prove a check fails)."""
        self.units = [u for u in self.units if u is not unit]

    def add(self, *secrets):
        """Secrets a test handed to a layer some other way (e.g. a call that was refused)."""
        self.extra.update(secrets)

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
        found = self._seen.get(unit.state_path, set()) | secrets_in_kv(unit) | self.extra
        return {s for s in found if len(s.strip()) >= MIN_SECRET}

    def leaks(self, unit):
        """``[(where, secret)]``: every visible text of ``unit`` that contains a secret."""
        secrets = self.secrets(unit)
        if not secrets:
            return []
        texts = [(f"{c['hook']}: {c['tool']}", " ".join(c["args"]))
                 for c in unit.calls if c["tool"] in VISIBLE_TOOLS]
        texts += [(f"{r.name}: error", r.error) for r in unit.history if r.error]
        return [(where, secret) for where, text in texts for secret in secrets if secret in text]
