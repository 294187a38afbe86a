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

    * ``{endpoint_name}.joined``: a remote application is related (a unit
      has joined), whatever its data; with ``available`` unset, the charm is
      related and waiting for data. Set and cleared by this layer.
    * ``{endpoint_name}.available``: valid data is present; ``get_data()``
      returns it. Set and cleared by this layer.
    * ``{endpoint_name}.changed``: the data differs from what it was when the
      charm last cleared this flag: set when it first appears, changes,
      becomes unusable, and when it goes away because the last unit departed
      or the relation was broken (so a handler on ``changed`` sees ``get_data()`` None and
      can clean up). Set by this layer; **cleared by the charm** once handled:
      the one flag that may outlive the relation.
    * ``{endpoint_name}.invalid``: the remote side sent data that cannot be
      used, or more than one application is related; ``invalid_reason`` says
      why. Set and cleared by this layer.

    Every flag but ``changed`` clears when the last relation on the endpoint goes away.
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
