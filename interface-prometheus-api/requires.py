"""Requires side of ``prometheus_api``: learn where a Prometheus-compatible API is."""

from charms.reactive import Endpoint

from ._app_requires import OneAppRequires
from .common import InvalidDataError, PrometheusApiData


class PrometheusApiRequires(OneAppRequires, Endpoint):
    """Reads the URLs a Prometheus-compatible API provider (e.g. Mimir) publishes.

    The endpoint takes one related application (declare it with ``limit: 1``
    in ``metadata.yaml``). Remote data never makes a hook fail: data that
    cannot be used sets ``invalid`` and logs one WARNING line naming the
    relation and the key.

    Public flags (what each means is the same in every layer of this project;
    the README's flag table has the details):

    * ``{endpoint_name}.joined``: Mimir (or another Prometheus-compatible API)
      is related, with or without data yet.
    * ``{endpoint_name}.available``: ``get_data()`` returns its URLs.
    * ``{endpoint_name}.changed``: the URLs appeared, changed, became unusable
      or went away (the last unit departed, the relation was broken: then
      ``get_data()`` is None). **Cleared by the charm** once handled, and the
      one flag that may outlive the relation.
    * ``{endpoint_name}.invalid``: the URLs are unusable, or more than one
      application is related; ``invalid_reason`` says why.

    This layer sets and clears the others; they clear with the last relation.
    """

    # -- public API -----------------------------------------------------------

    def get_data(self):
        """The provider's URLs as a ``PrometheusApiData`` (``direct_url``, ``ingress_url``), or None."""
        bag = self._stored()
        return PrometheusApiData(**bag) if bag else None

    # -- the interface-specific part ----------------------------------------

    _interface = "prometheus_api"
    _invalid_error = InvalidDataError

    def _decode(self, bag):
        return PrometheusApiData.from_databag(bag)


PrometheusApiRequires._register()
