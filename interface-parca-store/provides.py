"""Provides side of ``parca_store``: tell profiling agents where to send profiles."""

from charmhelpers.core import hookenv
from charms.reactive import Endpoint

from ._leader_sync import RESYNC_HOOKS, LeaderAppPublisher
from .common import DEFAULT_PORT, KEYS, ParcaStorePublication

#: The hook Juju fires when the unit's addresses change (it refreshes the unit's
#: ``ingress-address`` on every relation first): the leader re-publishes where it moved.
ADDRESS_HOOK = "config-changed"


class ParcaStoreProvides(LeaderAppPublisher, Endpoint):
    """Publishes where a Parca store takes profiles (as the Parca charm does).

    Call ``publish(port=7070, insecure=False, external_url=None,
    bearer_token=None)`` from any handler, on every unit: the layer remembers
    the request, and the leader writes it to the application databag of every
    relation, including relations that join later and after leadership moves
    to another unit. Non-leaders write nothing (and do not fail). Unchanged
    data is never written again.

    The address written is ``external_url`` exactly as given; without one,
    this unit's address on that relation (its ``ingress-address``) with
    ``port``; without that, this unit's FQDN with ``port``. Juju fires
    config-changed when that address changes: there the leader reads its own
    databag on each relation (nothing with ``external_url``, which does not
    depend on it) and writes only where the address moved.

    ``unpublish()`` withdraws the publication: the leader removes this
    layer's keys from every relation and every unit forgets the request, so
    a new leader does not publish it again.

    Public flags:

    * ``{endpoint_name}.joined``: at least one remote unit is related.
      Set and cleared by this layer; cleared when the last relation goes.
    """

    # -- public API -----------------------------------------------------------

    def publish(self, port=DEFAULT_PORT, insecure=False, external_url=None, bearer_token=None):
        """Publish the store's address, bearer token and TLS setting to every related agent.

        ``port``: an ``int`` in 1-65535; ``insecure``: a ``bool``;
        ``external_url``: a string used verbatim as the address, or None;
        ``bearer_token``: a string, or None for no token. Anything else raises
        ``ValueError`` naming the argument (the token itself is never shown).
        Safe to call in every hook: a repeated call with the same arguments
        costs no hook tool call.
        """
        wanted = ParcaStorePublication.from_args(port, insecure, external_url, bearer_token)
        self._remember(wanted.to_dict())

    @property
    def published(self):
        """What ``publish`` was last called with (a ``ParcaStorePublication``), or None."""
        return self._published(ParcaStorePublication.from_dict)

    # -- the interface-specific part ----------------------------------------

    _interface = "parca_store"
    _keys = KEYS

    def manage_flags(self):
        """Keep ``joined`` current; in this endpoint's relation hooks, update that relation
        (or, when it is broken, forget the address recorded for it)."""
        if hookenv.hook_name() == self.endpoint_name + "-relation-broken":
            self._kv.unset(self._address_key(hookenv.relation_id()))
        super().manage_flags()

    def _address_key(self, relation_id):
        return self._key("address." + relation_id)

    def _wanted(self, relation):
        """The databag for ``relation``, and record the address it got."""
        published = self.published
        bind_address = None
        if not published.external_url:
            bind_address = relation.to_publish_raw.get("ingress-address") or None
        self._kv.set(self._address_key(relation.relation_id), bind_address)
        return published.to_databag(bind_address)

    def _forget(self):
        self._kv.unsetrange(prefix=self._address_key(""))

    def _resync(self, hook):
        """After ``RESYNC_HOOKS`` every relation; after ``ADDRESS_HOOK``, on the leader, the
        relations whose ``ingress-address`` is no longer the one recorded: one read of this
        unit's databag per relation, none of the application databag unless the address moved."""
        if hook != ADDRESS_HOOK:
            super()._resync(hook)
            return
        published = self.published
        if published is None or published.external_url or not self.relations:
            return
        if not hookenv.is_leader():
            return
        self._sync([r for r in self.relations
                    if (r.to_publish_raw.get("ingress-address") or None)
                    != self._kv.get(self._address_key(r.relation_id))])


ParcaStoreProvides._register(RESYNC_HOOKS + (ADDRESS_HOOK,))
