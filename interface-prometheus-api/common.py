"""Wire format of the ``prometheus_api`` interface: the one place that knows it.

The provider (e.g. the Mimir coordinator) writes two raw string keys into its
*application* databag:

* ``direct_url``: required, the cluster-internal http(s) URL of the
  Prometheus-compatible API;
* ``ingress_url``: optional, the URL reachable through ingress; absent when
  there is none.

Both are validated and normalised as http(s) URLs by the WHATWG URL rules, as
the upstream ops library (``charms.mimir_coordinator_k8s.v0.prometheus_api``,
LIBAPI 0, LIBPATCH 2) does through pydantic's ``AnyHttpUrl``.

How URLs are read, and the one class of them refused (see README): ``_urls.py``.
"""

from dataclasses import dataclass
from typing import Optional

from ._errors import InvalidDataError  # noqa: F401 (the layer's error for remote data)
from ._urls import UrlPair, checked_url, normalise_http_url, without_password  # noqa: F401 (re-exported)

DIRECT_URL = "direct_url"
INGRESS_URL = "ingress_url"
KEYS = (DIRECT_URL, INGRESS_URL)



# --------------------------------------------------------------------------
# The data
# --------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class PrometheusApiData(UrlPair):
    """Where the Prometheus-compatible API is: both URLs normalised; ``ingress_url`` may be None."""

    direct_url: str
    ingress_url: Optional[str] = None

    @classmethod
    def from_args(cls, direct_url, ingress_url=None):
        """Validate what a charm passed to ``publish``; ``ValueError`` names the bad argument."""
        ingress = None if ingress_url is None else checked_url(ingress_url, "ingress_url")
        return cls(checked_url(direct_url, "direct_url"), ingress)

    def to_databag(self):
        """The raw application databag: ``ingress_url`` left out when there is none."""
        bag = {DIRECT_URL: self.direct_url}
        if self.ingress_url:
            bag[INGRESS_URL] = self.ingress_url
        return bag

    @classmethod
    def from_databag(cls, bag):
        """Decode a remote application databag (raw strings).

        Returns None when the provider has published nothing yet (neither key
        present); raises ``InvalidDataError`` naming the key when the data is
        unusable. Unknown keys are ignored.
        """
        direct, ingress = bag.get(DIRECT_URL), bag.get(INGRESS_URL)
        if not direct and not ingress:
            return None
        if not direct:
            raise InvalidDataError(f"{DIRECT_URL} is missing (required)")
        values = {key: checked_url(raw, f"{key} is not a valid http(s) URL", InvalidDataError)
                  if raw else None for key, raw in ((DIRECT_URL, direct), (INGRESS_URL, ingress))}
        return cls(values[DIRECT_URL], values[INGRESS_URL])
