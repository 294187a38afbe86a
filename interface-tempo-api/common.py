"""Wire format of the ``tempo_api`` interface: the one place that knows it.

The provider (the Tempo coordinator) writes two keys into its *application*
databag, each a JSON object encoded as a string:

* ``http``: ``{"direct_url": URL, "ingress_url": URL}``, where the Tempo
  HTTP query API is;
* ``grpc``: the same shape, where the Tempo gRPC query API is.

Both keys are required; ``direct_url`` is required inside each object and
``ingress_url`` is left out when there is none. Every URL is validated and
normalised as an http(s) URL by the WHATWG URL rules, as the upstream ops
library (``charms.tempo_coordinator_k8s.v0.tempo_api``, LIBAPI 0, LIBPATCH 3)
does through pydantic's ``AnyHttpUrl``; the gRPC endpoint is an ``http://`` or
``https://`` URL too (``grpc://`` is rejected).
"""

import json
from dataclasses import dataclass
from typing import Optional

from ._errors import InvalidDataError  # noqa: F401 (the layer's error for remote data)
from ._urls import UrlPair, checked_url, normalise_http_url, without_password  # noqa: F401 (re-exported)

HTTP = "http"
GRPC = "grpc"
KEYS = (HTTP, GRPC)
DIRECT_URL = "direct_url"
INGRESS_URL = "ingress_url"



# --------------------------------------------------------------------------
# The data
# --------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class TempoApiUrls(UrlPair):
    """One Tempo API endpoint: both URLs normalised; ``ingress_url`` may be None."""

    direct_url: str
    ingress_url: Optional[str] = None

    @classmethod
    def from_args(cls, protocol, direct_url, ingress_url=None):
        """Validate what a charm passed to ``publish``; ``ValueError`` names the bad argument."""
        ingress = None if ingress_url is None else checked_url(ingress_url, f"ingress_url_{protocol}")
        return cls(checked_url(direct_url, f"direct_url_{protocol}"), ingress)

    def encode(self):
        """The JSON string upstream writes: ``ingress_url`` left out when there is none."""
        value = {DIRECT_URL: self.direct_url}
        if self.ingress_url:
            value[INGRESS_URL] = self.ingress_url
        return json.dumps(value)

    @classmethod
    def decode(cls, key, raw):
        """Decode the raw value of databag key ``key``; ``InvalidDataError`` naming it if unusable.

        Keys of the object other than the two URLs are ignored (forward
        compatible); an ``ingress_url`` that is null or empty means none.
        """
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError) as e:
            raise InvalidDataError(f"{key} is not JSON: {e}") from None
        if not isinstance(value, dict):
            raise InvalidDataError(f"{key} is not a JSON object (got {type(value).__name__})")
        if value.get(DIRECT_URL) in (None, ""):
            raise InvalidDataError(f"{key}.{DIRECT_URL} is missing (required)")
        urls = {name: None if value.get(name) in (None, "") else checked_url(
                    value[name], f"{key}.{name} is not a valid http(s) URL", InvalidDataError)
                for name in (DIRECT_URL, INGRESS_URL)}
        return cls(urls[DIRECT_URL], urls[INGRESS_URL])


@dataclass(frozen=True)
class TempoApiData:
    """Where the Tempo query APIs are: ``http`` and ``grpc``, each a ``TempoApiUrls``."""

    http: TempoApiUrls
    grpc: TempoApiUrls

    @classmethod
    def from_args(cls, direct_url_http, direct_url_grpc, ingress_url_http=None,
                  ingress_url_grpc=None):
        """Validate what a charm passed to ``publish``; ``ValueError`` names the bad argument."""
        return cls(TempoApiUrls.from_args(HTTP, direct_url_http, ingress_url_http),
                   TempoApiUrls.from_args(GRPC, direct_url_grpc, ingress_url_grpc))

    def to_databag(self):
        """The raw application databag: one JSON string per key."""
        return {HTTP: self.http.encode(), GRPC: self.grpc.encode()}

    @classmethod
    def from_databag(cls, bag):
        """Decode a remote application databag (raw strings).

        Returns None when the provider has published nothing yet (neither key
        present); raises ``InvalidDataError`` naming the key when the data is
        unusable. Unknown keys are ignored and never decoded.
        """
        raw = {key: bag.get(key) for key in KEYS}
        if not any(raw.values()):
            return None
        for key in KEYS:
            if not raw[key]:
                raise InvalidDataError(f"{key} is missing (required)")
        return cls(TempoApiUrls.decode(HTTP, raw[HTTP]), TempoApiUrls.decode(GRPC, raw[GRPC]))

    @classmethod
    def from_dict(cls, value):
        """The inverse of ``as_dict`` (for data this layer stored itself)."""
        return cls(TempoApiUrls(**value[HTTP]), TempoApiUrls(**value[GRPC]))

    def as_dict(self):
        """``{"http": {...}, "grpc": {...}}``, each a ``TempoApiUrls.as_dict()``, as upstream."""
        return {HTTP: self.http.as_dict(), GRPC: self.grpc.as_dict()}
