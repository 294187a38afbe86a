"""Provides side of ``profiling``: tell charms where to send their profiles."""

from charms.reactive import Endpoint

from ._leader_sync import LeaderAppPublisher
from .common import KEYS, ProfilingEndpoint


class ProfilingProvides(LeaderAppPublisher, Endpoint):
    """Publishes where a profiling backend takes profiles over OTLP gRPC (as the Pyroscope
    coordinator does).

    Call ``publish_endpoint(otlp_grpc_endpoint, insecure=False)`` from any
    handler, on every unit: the layer remembers the request, and the leader
    writes it to the application databag of every relation, including
    relations that join later and after leadership moves to another unit.
    Non-leaders write nothing (and do not fail). Unchanged data is never
    written again. ``unpublish()`` takes it back from every relation (call it
    on every unit too); a new leader does not bring it back.

    Public flags:

    * ``{endpoint_name}.joined``: at least one remote unit is related.
      Set and cleared by this layer; cleared when the last relation goes.
    """

    # -- public API -----------------------------------------------------------

    def publish_endpoint(self, otlp_grpc_endpoint, insecure=False):
        """Publish where senders push profiles, and whether they skip TLS, to every relation.

        ``otlp_grpc_endpoint``: the OTLP gRPC address (``host:port``), a
        non-blank string, published verbatim. ``insecure``: a boolean, or a
        value upstream reads as one (``1``/``0``, ``"true"``/``"false"``,
        ``"yes"``/``"no"``, ...); ``False`` by default. Anything else raises
        ``ValueError`` naming the argument. Safe to call in every hook: a
        repeated call with the same arguments makes no hook tool call.
        """
        wanted = ProfilingEndpoint.from_args(otlp_grpc_endpoint, insecure)
        self._remember(wanted.to_databag())

    @property
    def published(self):
        """What ``publish_endpoint`` was last called with (a ``ProfilingEndpoint``), or None
        (never called, or ``unpublish()`` called since)."""
        return self._published(ProfilingEndpoint.from_databag)

    # -- the interface-specific part ----------------------------------------

    _interface = "profiling"
    _keys = KEYS


ProfilingProvides._register()
