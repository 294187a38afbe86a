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

    Public flags (the project's one flag vocabulary; see the README's table):

    * ``{endpoint_name}.joined``: a Tempo coordinator (or another provider of
      the query API) is related, whatever it has sent so far.
    * ``{endpoint_name}.available``: both endpoints are known: ``get_data()``.
    * ``{endpoint_name}.changed``: what ``get_data()`` returns is different
      (new, changed, unusable, or gone with the last unit or the relation, when
      it is None). Only the charm clears it, once handled; it may outlive the
      relation.
    * ``{endpoint_name}.invalid``: the provider's data cannot be used, or more
      than one application is related; ``invalid_reason`` says why.

    Set and cleared by this layer but for ``changed``; gone with the last relation.
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
