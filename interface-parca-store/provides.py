"""Provides side of ``parca_store``: tell profiling agents where to send profiles."""

from charmhelpers.core import hookenv, unitdata
from charms.reactive import Endpoint, toggle_flag

from .common import DEFAULT_PORT, KEYS, ParcaStorePublication

#: Hooks after which the leader re-checks every relation's application data.
RESYNC_HOOKS = ("leader-elected", "upgrade-charm")
#: The hook Juju fires when the unit's addresses change (it refreshes the unit's
#: ``ingress-address`` on every relation first): the leader re-publishes where it moved.
ADDRESS_HOOK = "config-changed"


class ParcaStoreProvides(Endpoint):
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
        if self._kv.get(self._published_key) == wanted.to_dict():
            return
        self._kv.set(self._published_key, wanted.to_dict())
        self._sync(self.relations)

    @property
    def published(self):
        """What ``publish`` was last called with (a ``ParcaStorePublication``), or None."""
        data = self._kv.get(self._published_key)
        return ParcaStorePublication.from_dict(data) if data else None

    # -- framework hooks ------------------------------------------------------

    def manage_flags(self):
        """Keep ``joined`` current; in this endpoint's relation hooks, update that relation
        (or, when it is broken, forget the address recorded for it)."""
        toggle_flag(self.expand_name("{endpoint_name}.joined"), self.is_joined)
        hook = hookenv.hook_name()
        if hook == self.endpoint_name + "-relation-broken":
            self._kv.unset(self._address_key(hookenv.relation_id()))
        elif hook.startswith(self.endpoint_name + "-relation-") and not hook.endswith(
                "-departed"):
            rid = hookenv.relation_id()
            self._sync([r for r in self.relations if r.relation_id == rid])

    # -- internals ------------------------------------------------------------

    @property
    def _kv(self):
        return unitdata.kv()

    @property
    def _published_key(self):
        return f"interface.parca_store.{self.endpoint_name}.published"

    def _address_key(self, relation_id):
        return f"interface.parca_store.{self.endpoint_name}.address.{relation_id}"

    def _sync(self, relations):
        """On the leader, write the remembered data to ``relations``, changed keys only,
        and record the address each one got."""
        published = self.published
        if published is None or not relations or not hookenv.is_leader():
            return
        for relation in relations:
            bind_address = None
            if not published.external_url:
                bind_address = relation.to_publish_raw.get("ingress-address") or None
            self._kv.set(self._address_key(relation.relation_id), bind_address)
            wanted = published.to_databag(bind_address)
            bag = relation.to_publish_app_raw
            for key in KEYS:
                value = wanted.get(key)
                if (bag.get(key) or None) != value:
                    bag[key] = value or ""

    def _sync_moved_addresses(self):
        """On the leader, re-publish to the relations whose ``ingress-address`` is no longer
        the one recorded: one read of this unit's databag per relation, none of the
        application databag unless the address moved."""
        published = self.published
        if published is None or published.external_url or not self.relations:
            return
        if not hookenv.is_leader():
            return
        self._sync([r for r in self.relations
                    if (r.to_publish_raw.get("ingress-address") or None)
                    != self._kv.get(self._address_key(r.relation_id))])


def _resync_after_lifecycle_hook():
    """A new leader, a new version of the charm or a new address writes what was asked for.

    Registered with ``hookenv.atstart`` when charms.reactive imports this
    module, so it runs at the start of every hook, after the framework has
    created the endpoints, and costs nothing outside ``RESYNC_HOOKS`` and
    ``ADDRESS_HOOK``.
    """
    hook = hookenv.hook_name()
    if hook not in RESYNC_HOOKS and hook != ADDRESS_HOOK:
        return
    for name in hookenv.role_and_interface_to_relations("provides", "parca_store"):
        endpoint = Endpoint.from_name(name)
        if not isinstance(endpoint, ParcaStoreProvides):
            continue
        if hook == ADDRESS_HOOK:
            endpoint._sync_moved_addresses()
        else:
            endpoint._sync(endpoint.relations)


hookenv.atstart(_resync_after_lifecycle_hook)
