# Vendored from layerlib/_many_requires.py by `make vendor`: do not edit; edit the source.
"""Requires side of an interface whose endpoint takes many relations, each read on its own.

A layer mixes ``ManyRequires`` into its ``Endpoint`` subclass (before
``Endpoint``) and gives it ``_interface``, ``_decode`` (one relation's data, or
``_invalid_error``) and ``_combine`` (what the charm sees, from every usable
relation in relation-id order). What each relation gave is kept in the unit's
key-value store, so a hook of one relation re-reads that relation only. A
relation whose data cannot be used is left out, reported in
``invalid_reasons`` and logged once at WARNING; the others still come through.
Flags: ``joined``, ``available``, ``changed`` (also when the result goes away
with the last relation: it outlives the relation until the charm clears it)
and ``invalid``.

A layer whose combined result is large (cos_agent: every principal's rules)
sets ``_keep_combined = False``: only a digest of the result is kept, and the
result is computed again from the relations' values, once per hook, when it is
read. The store then holds each relation's value once.
"""

import hashlib
import json

from charmhelpers.core import hookenv
from charms.reactive import set_flag, toggle_flag

from ._state import RequiresState, relation_sort_key  # noqa: F401 (re-exported)


def _encoded(value):
    """``value`` as JSON text: two results are the same when their encodings are."""
    return json.dumps(value, sort_keys=True)


def _digest(value):
    """The SHA-256 of ``value``'s JSON encoding (what is kept instead of a large result)."""
    return hashlib.sha256(_encoded(value).encode("utf-8")).hexdigest()


class ManyRequires(RequiresState):
    """Mixin: per-relation refresh, the combined result and the flags of a many-relation
    requires side."""

    #: the layer's exception for unusable remote data (a ``ValueError``)
    _invalid_error = ValueError
    #: the key-value store name of the combined result (``<prefix><_combined_name>``)
    _combined_name = "combined"
    #: what the combined result is when nothing is usable
    _empty = None
    #: keep the combined result in the key-value store (False: only its SHA-256 digest)
    _keep_combined = True

    def _decode(self, relation):
        """What ``relation`` (which has joined units) contributes (JSON-able); raises
        ``_invalid_error`` when its data is unusable."""
        raise NotImplementedError

    def _combine(self, values):
        """The combined result (JSON-able) of every usable relation's value, in relation order."""
        raise NotImplementedError

    @property
    def invalid_reasons(self):
        """``{relation_id: why its data is unusable}`` for every relation that was left out."""
        return {rid: entry["reason"] for rid, entry in sorted(
            self._cached().items(), key=lambda kv: relation_sort_key(kv[0])) if entry["reason"]}

    @property
    def invalid_reason(self):
        """Every relation's reason in one sentence (each names its relation), or None."""
        reasons = self.invalid_reasons
        return "; ".join(reasons.values()) if reasons else None

    def manage_flags(self):
        """Called by charms.reactive in this endpoint's relation hooks, and in every hook while
        the endpoint has no joined unit: re-read the data.

        In a relation hook only that relation is read again (and any relation
        never read before); elsewhere every relation is.
        """
        hook = hookenv.hook_name()
        if hook.startswith(self.endpoint_name + "-relation-"):
            self._refresh(only=hookenv.relation_id())
        else:
            self._refresh()

    # -- internals ------------------------------------------------------------


    def _combined(self):
        """The combined result as last stored (``_empty`` when there is none); without
        ``_keep_combined``, computed from the relations' values (once per hook)."""
        if self._keep_combined:
            value = self._kv.get(self._key(self._combined_name))
        elif "_combined_memo" in self.__dict__:
            value = self.__dict__["_combined_memo"]
        else:
            value = self._combine_cached(self._cached())
            self.__dict__["_combined_memo"] = value
        return self._empty if value is None else value

    def _combine_cached(self, cached):
        """``_combine`` of the usable values of ``cached`` (``_cached()``), in relation order."""
        return self._combine([cached[rid]["value"] for rid in sorted(cached, key=relation_sort_key)
                              if cached[rid]["reason"] is None])

    def _forget_relation(self, relation_id):
        """Forget what was kept of a relation that has gone (its joined units, or itself)."""
        self._kv.unset(self._key("relation." + relation_id))

    def _cached(self):
        """``{relation_id: {"value": ..., "reason": str or None}}`` as last read."""
        return self._kv.getrange(self._key("relation."), strip=True)

    def _read(self, relation):
        """``{"value", "reason"}`` for one relation with joined units."""
        try:
            return {"value": self._decode(relation), "reason": None}
        except self._invalid_error as e:
            reason = f"relation {relation.relation_id} ({relation.application_name}): {e}"
            return {"value": None, "reason": reason}

    def _refresh(self, only=None):
        """Re-read relation ``only`` (or every relation), then set the flags and result to match."""
        related = {r.relation_id: r for r in self.relations if r.joined_units}
        cached = self._cached()
        for rid in set(cached) - set(related):
            self._forget_relation(rid)
            del cached[rid]
        for rid, relation in related.items():
            if only is not None and rid != only and rid in cached:
                continue
            entry = self._read(relation)
            previous = cached.get(rid) or {}
            if entry["reason"] and entry["reason"] != previous.get("reason"):
                hookenv.log("{}: unusable data: {}".format(self.endpoint_name, entry["reason"]),
                            level=hookenv.WARNING)
            self._kv.set(self._key("relation." + rid), entry)
            cached[rid] = entry
        combined = self._combine_cached(cached)
        if self._keep_combined:
            key = self._key(self._combined_name)
            previous, now, stored = _encoded(self._combined()), _encoded(combined), combined
        else:
            key = self._key(self._combined_name + "-digest")
            previous = self._kv.get(key) or _digest(self._empty)
            now = stored = _digest(self._empty if combined is None else combined)
            self.__dict__["_combined_memo"] = combined
            self._kv.unset(self._key(self._combined_name))  # what an older version kept
        if related:
            self._kv.set(key, stored)
        else:
            self._kv.unsetrange(prefix=self._key(""))
        toggle_flag(self.expand_name("{endpoint_name}.joined"), bool(related))
        toggle_flag(self.expand_name("{endpoint_name}.available"), bool(combined))
        toggle_flag(self.expand_name("{endpoint_name}.invalid"),
                    any(entry["reason"] for entry in cached.values()))
        if now != previous:  # by JSON encoding: 1 == True, but not on the wire
            set_flag(self.expand_name("{endpoint_name}.changed"))
