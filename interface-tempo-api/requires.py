"""Requires side of ``tempo_api``: learn where a Tempo-compatible query API is."""

from charms.reactive import Endpoint

from ._app_requires import OneAppRequires
from .common import InvalidDataError, TempoApiData


class TempoApiRequires(OneAppRequires, Endpoint):
    """Reads the HTTP and gRPC URLs a Tempo-compatible API provider (e.g. Tempo) publishes.

    The endpoint takes one related application (declare it with ``limit: 1``
    in ``metadata.yaml``). Remote data never makes a hook fail: data that
    cannot be used sets ``invalid`` and logs one WARNING line naming the
    relation and the key.

    Public flags:

    * ``{endpoint_name}.available``: valid data is present; ``get_data()``
      returns it. Set and cleared by this layer.
    * ``{endpoint_name}.changed``: the data differs from what it was in the
      previous hook that read it (set also when it first appears, and when it
      goes away or becomes unusable while a relation remains). Set by this
      layer; **cleared by the charm** once handled.
    * ``{endpoint_name}.invalid``: the remote side sent data that cannot be
      used, or more than one application is related; ``invalid_reason`` says
      why. Set and cleared by this layer.

    All three clear when the last relation on the endpoint goes away.
    """

    # -- public API -----------------------------------------------------------

    def get_data(self):
        """The provider's URLs as a ``TempoApiData`` (``http`` and ``grpc``, each with
        ``direct_url`` and ``ingress_url``), or None."""
        bag = self._stored()
        return TempoApiData.from_dict(bag) if bag else None

    # -- the interface-specific part ----------------------------------------

    _interface = "tempo_api"
    _invalid_error = InvalidDataError

    def _decode(self, bag):
        return TempoApiData.from_databag(bag)


TempoApiRequires._register()
