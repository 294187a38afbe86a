"""Requires side of ``profiling``: learn where to send profiles."""

from charms.reactive import Endpoint

from ._many_requires import ManyRequires
from .common import InvalidDataError, ProfilingEndpoint


class ProfilingRequires(ManyRequires, Endpoint):
    """Reads where profiling backends (Pyroscope, a collector) take profiles over OTLP gRPC.

    The endpoint takes any number of related applications, as upstream does:
    ``get_endpoints()`` returns one ``ProfilingEndpoint`` per relation whose
    data is usable, in relation-id order. Remote data never makes a hook
    fail: a relation whose data cannot be used is left out of
    ``get_endpoints()``, named in ``invalid_reasons`` and logged once at
    WARNING (relation and key); the other relations still come through.

    Public flags:

    * ``{endpoint_name}.joined``: at least one remote unit is related,
      whatever its data. Set and cleared by this layer.
    * ``{endpoint_name}.available``: at least one relation has usable data;
      ``get_endpoints()`` returns it. Set and cleared by this layer.
    * ``{endpoint_name}.changed``: ``get_endpoints()`` differs from what it
      was when the charm last cleared this flag: set when an endpoint
      appears, changes or goes away (including when the last remote unit
      departs or the relation is broken). Set by this layer; **cleared by
      the charm** once handled. The one flag that may outlive the relations.
    * ``{endpoint_name}.invalid``: at least one relation sent data that
      cannot be used; ``invalid_reasons`` says why, per relation. Set and
      cleared by this layer.
    """

    # -- public API -----------------------------------------------------------

    def get_endpoints(self):
        """Where to send profiles: a list of ``ProfilingEndpoint`` (``otlp_grpc``, the
        address as the backend gave it, and ``insecure``, a bool), one per relation with
        usable data, in relation-id order; ``[]`` when there is none."""
        return [ProfilingEndpoint(**endpoint) for endpoint in self._combined()]

    # -- the interface-specific part ----------------------------------------

    _interface = "profiling"
    _invalid_error = InvalidDataError
    _combined_name = "endpoints"
    _empty = []

    def _decode(self, relation):
        endpoint = ProfilingEndpoint.from_databag(relation.received_app_raw)
        return endpoint.as_dict() if endpoint else None

    def _combine(self, values):
        return [value for value in values if value]


ProfilingRequires._register()
