"""Provides side of ``tempo_api``: publish where a Tempo-compatible query API is."""

from charms.reactive import Endpoint

from ._leader_sync import LeaderAppPublisher
from .common import KEYS, TempoApiData


class TempoApiProvides(LeaderAppPublisher, Endpoint):
    """Publishes the HTTP and gRPC URLs of a Tempo query API (as the Tempo coordinator does).

    Call ``publish(direct_url_http, direct_url_grpc, ingress_url_http=None,
    ingress_url_grpc=None)`` from any handler, on every unit: the layer
    remembers the request, and the leader writes it to the application
    databag of every relation, including relations that join later and after
    leadership moves to another unit. Non-leaders write nothing. Unchanged
    data is never written again.

    ``unpublish()`` withdraws the publication: the leader removes this
    layer's keys from every relation and every unit forgets the request, so
    a new leader does not publish it again.

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
        self._remember(data.to_databag())

    @property
    def published(self):
        """What ``publish`` was last called with (a ``TempoApiData``), or None."""
        return self._published(TempoApiData.from_databag)

    # -- the interface-specific part ----------------------------------------

    _interface = "tempo_api"
    _keys = KEYS


TempoApiProvides._register()
