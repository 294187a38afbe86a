"""Provides side of ``tempo_api``: publish where a Tempo-compatible query API is."""

from charmhelpers.core import hookenv, unitdata
from charms.reactive import Endpoint, toggle_flag

from .common import KEYS, TempoApiData

#: Hooks after which the leader re-checks every relation's application data.
RESYNC_HOOKS = ("leader-elected", "upgrade-charm")


class TempoApiProvides(Endpoint):
    """Publishes the HTTP and gRPC URLs of a Tempo query API (as the Tempo coordinator does).

    Call ``publish(direct_url_http, direct_url_grpc, ingress_url_http=None,
    ingress_url_grpc=None)`` from any handler, on every unit: the layer
    remembers the request, and the leader writes it to the application
    databag of every relation, including relations that join later and after
    leadership moves to another unit. Non-leaders write nothing. Unchanged
    data is never written again.

    Public flags:

    * ``{endpoint_name}.joined``: at least one remote unit is related.
      Set and cleared by this layer; cleared when the last relation goes.
    """

    # -- public API -----------------------------------------------------------

    def publish(self, direct_url_http, direct_url_grpc, ingress_url_http=None,
                ingress_url_grpc=None):
        """Publish the API's URLs to every related application.

        The two direct URLs are required, the ingress URLs optional; all must
        be http(s) URLs (the gRPC endpoint too: ``grpc://`` is rejected, as
        upstream does) and are normalised as upstream does (``ValueError``
        naming the argument otherwise). Safe to call in every hook: a repeated
        call with the same URLs writes nothing.
        """
        data = TempoApiData.from_args(direct_url_http, direct_url_grpc,
                                      ingress_url_http, ingress_url_grpc)
        wanted = data.to_databag()
        if self._kv.get(self._published_key) == wanted:
            return
        self._kv.set(self._published_key, wanted)
        self._sync(self.relations)

    @property
    def published(self):
        """What ``publish`` was last called with (a ``TempoApiData``), or None."""
        bag = self._kv.get(self._published_key)
        return TempoApiData.from_databag(bag) if bag else None

    # -- framework hooks ------------------------------------------------------

    def manage_flags(self):
        """Keep ``joined`` current; in this endpoint's relation hooks, update that relation."""
        toggle_flag(self.expand_name("{endpoint_name}.joined"), self.is_joined)
        hook = hookenv.hook_name()
        if hook.startswith(self.endpoint_name + "-relation-") and not hook.endswith(
                ("-departed", "-broken")):
            rid = hookenv.relation_id()
            self._sync([r for r in self.relations if r.relation_id == rid])

    # -- internals ------------------------------------------------------------

    @property
    def _kv(self):
        return unitdata.kv()

    @property
    def _published_key(self):
        return f"interface.tempo_api.{self.endpoint_name}.published"

    def _sync(self, relations):
        """On the leader, write the remembered data to ``relations``, changed keys only."""
        wanted = self._kv.get(self._published_key)
        if not wanted or not relations or not hookenv.is_leader():
            return
        for relation in relations:
            bag = relation.to_publish_app_raw
            for key in KEYS:
                value = wanted.get(key)
                if (bag.get(key) or None) != value:
                    bag[key] = value or ""


def _resync_after_lifecycle_hook():
    """A new leader, or a new version of the charm, writes what was asked for.

    Registered with ``hookenv.atstart`` when charms.reactive imports this
    module, so it runs at the start of every hook, after the framework has
    created the endpoints, and costs nothing outside ``RESYNC_HOOKS``.
    """
    if hookenv.hook_name() not in RESYNC_HOOKS:
        return
    for name in hookenv.role_and_interface_to_relations("provides", "tempo_api"):
        endpoint = Endpoint.from_name(name)
        if isinstance(endpoint, TempoApiProvides):
            endpoint._sync(endpoint.relations)


hookenv.atstart(_resync_after_lifecycle_hook)
