# Vendored from layerlib/_leader_sync.py by `make vendor`: do not edit; edit the source.
"""Provides side whose leader publishes raw keys into every relation's application databag.

A layer mixes ``LeaderAppPublisher`` into its ``Endpoint`` subclass (before
``Endpoint``) and gives it ``_interface`` and ``_keys`` (the application databag
keys that are the layer's). Its ``publish`` validates the charm's arguments and
hands the raw databag to ``_remember``. The request is kept in the unit's
key-value store, so every unit can be asked and the leader writes it to every
relation, to relations that join later, and again after leadership moves or
the charm is upgraded. Only keys whose value changed are written.
``unpublish()`` withdraws it: the leader removes the layer's keys from every
relation, and the request is forgotten, so a new leader does not bring it
back (it removes what an earlier leader left instead).
"""

from charmhelpers.core import hookenv
from charms.reactive import toggle_flag

from ._lifecycle import after_hooks
from ._state import LayerState

#: Hooks after which the leader re-checks every relation's application data.
RESYNC_HOOKS = ("leader-elected", "upgrade-charm")


class LeaderAppPublisher(LayerState):
    """Mixin: remember a raw application databag; the leader writes it, changed keys only."""

    #: the application databag keys the layer writes (any other key is left alone)
    _keys = ()
    #: hooks of this endpoint's relations in which the leader re-writes that relation
    #: (``-departed`` and ``-broken`` never: nothing is to be written there)
    _skip_relation_hooks = ("-departed", "-broken")

    def manage_flags(self):
        """Keep ``joined`` current; in this endpoint's relation hooks, update that relation."""
        toggle_flag(self.expand_name("{endpoint_name}.joined"), self.is_joined)
        hook = hookenv.hook_name()
        if hook.startswith(self.endpoint_name + "-relation-") and not hook.endswith(
                self._skip_relation_hooks):
            rid = hookenv.relation_id()
            self._sync([r for r in self.relations if r.relation_id == rid])

    def unpublish(self):
        """Withdraw what was published: the leader removes this layer's keys from the
        application databag of every relation, and every unit forgets the request, so
        a later leader does not publish it again (call it on every unit, as ``publish``).

        Calling it again, or with nothing published, writes nothing.
        """
        if self._kv.get(self._published_key) is None and self._kv.get(self._retracted_key):
            return
        self._kv.unset(self._published_key)
        self._kv.set(self._retracted_key, True)
        self._forget()
        self._clear(self.relations)

    @classmethod
    def _register(cls, hooks=RESYNC_HOOKS):
        """Re-write every relation after ``hooks`` (a new leader, a new version of the charm).
        Called once by the layer's module; ``_resync(hook)`` does the work."""
        after_hooks(hooks, "provides", cls._interface, cls, "_resync")

    # -- internals ------------------------------------------------------------


    @property
    def _published_key(self):
        return self._key("published")

    @property
    def _retracted_key(self):
        return self._key("retracted")

    def _remember(self, wanted):
        """Keep ``wanted`` (what to publish, JSON-able) and write it where it differs.
        A repeated call with the same value costs nothing."""
        if self._kv.get(self._published_key) == wanted:
            return
        self._kv.set(self._published_key, wanted)
        self._kv.unset(self._retracted_key)
        self._sync(self.relations)

    def _published(self, decode):
        """``decode(what was remembered)``, or None when nothing is published."""
        wanted = self._kv.get(self._published_key)
        return decode(wanted) if wanted else None

    def _forget(self):
        """Forget what the layer recorded beside the request (``unpublish``); none here."""

    def _clear(self, relations):
        """On the leader, remove this layer's keys from ``relations`` where they are set."""
        if not relations or not hookenv.is_leader():
            return
        for relation in relations:
            bag = relation.to_publish_app_raw
            for key in self._keys:
                if bag.get(key):
                    bag[key] = ""

    def _wanted(self, relation):
        """The raw application databag ``relation`` should hold (``{key: value or None}``)."""
        return self._kv.get(self._published_key)

    def _resync(self, hook):
        if self._kv.get(self._retracted_key):
            self._clear(self.relations)
        else:
            self._sync(self.relations)

    def _sync(self, relations):
        """On the leader, write the remembered data to ``relations``, changed keys only."""
        if not self._kv.get(self._published_key) or not relations or not hookenv.is_leader():
            return
        for relation in relations:
            wanted = self._wanted(relation)
            bag = relation.to_publish_app_raw
            for key in self._keys:
                value = wanted.get(key)
                if (bag.get(key) or None) != value:
                    bag[key] = value or ""
