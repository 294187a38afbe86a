"""Provides side of ``prometheus_api``: publish where a Prometheus-compatible API is."""

from charms.reactive import Endpoint

from ._leader_sync import LeaderAppPublisher
from .common import KEYS, PrometheusApiData


class PrometheusApiProvides(LeaderAppPublisher, Endpoint):
    """Publishes the URLs of a Prometheus-compatible query API (as the Mimir coordinator does).

    Call ``publish(direct_url, ingress_url=None)`` from any handler, on every
    unit: the layer remembers the request, and the leader writes it to the
    application databag of every relation, including relations that join
    later and after leadership moves to another unit. Non-leaders write
    nothing. Unchanged data is never written again.

    ``unpublish()`` withdraws the publication: the leader removes this
    layer's keys from every relation and every unit forgets the request, so
    a new leader does not publish it again.

    Public flags:

    * ``{endpoint_name}.joined``: at least one remote unit is related.
      Set and cleared by this layer; cleared when the last relation goes.
    """

    # -- public API -----------------------------------------------------------

    def publish(self, direct_url, ingress_url=None):
        """Publish the API's URLs to every related application.

        ``direct_url`` is required, ``ingress_url`` optional; both must be
        http(s) URLs and are normalised as upstream does (``ValueError``
        naming the argument otherwise). Safe to call in every hook: a
        repeated call with the same URLs writes nothing.
        """
        data = PrometheusApiData.from_args(direct_url, ingress_url)
        self._remember(data.to_databag())

    @property
    def published(self):
        """What ``publish`` was last called with (a ``PrometheusApiData``), or None."""
        return self._published(PrometheusApiData.from_databag)

    # -- the interface-specific part ----------------------------------------

    _interface = "prometheus_api"
    _keys = KEYS


PrometheusApiProvides._register()
