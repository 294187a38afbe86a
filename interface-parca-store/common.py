"""Wire format of the ``parca_store`` interface: the one place that knows it.

The store (the Parca charm) writes three raw string keys into its
*application* databag:

* ``remote-store-address``: where agents send profiles, ``host:port`` (or the
  external URL exactly as the store's charm gave it);
* ``remote-store-bearer-token``: the bearer token agents must present; absent
  when the store wants none. **A secret**: never put it in a log line, an
  exception message, a status message or a ``repr()``;
* ``remote-store-insecure``: ``"true"`` or ``"false"``: whether agents skip
  TLS verification.

This is what the upstream ops library (``charms.parca_k8s.v0.parca_store``,
LIBAPI 0, LIBPATCH 4) writes and reads.
"""

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Dict, Optional

from ._errors import InvalidDataError  # noqa: F401 (the layer's error for remote data)

ADDRESS = "remote-store-address"
BEARER_TOKEN = "remote-store-bearer-token"
INSECURE = "remote-store-insecure"
KEYS = (ADDRESS, BEARER_TOKEN, INSECURE)

DEFAULT_PORT = 7070
#: What the requirer accepts in ``remote-store-insecure`` (compared lower-cased).
_BOOLEANS = {"true": True, "false": False}



def local_fqdn():
    """This unit's fully qualified domain name: the store address of last resort.

    One function so that tests can replace what it calls (``socket.getfqdn``).
    """
    return socket.getfqdn()


def host_port(host, port):
    """``host:port``, with an IPv6 host in brackets so the port stays unambiguous."""
    try:
        # without a scope id: Python 3.9+ parses "fe80::1%eth0", 3.8 does not
        if isinstance(ipaddress.ip_address(host.split("%", 1)[0]), ipaddress.IPv6Address):
            return f"[{host}]:{port}"
    except ValueError:
        pass
    return f"{host}:{port}"


def _redacted(token):
    return "<redacted>" if token else None


def _masked(address):
    """``address`` with the password of any ``user:password@`` in it masked, for ``repr()``
    (an external URL is used verbatim, so it may carry credentials)."""
    if not address:
        return address
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "", address
    authority, slash, path = rest.partition("/")
    userinfo, at, host = authority.rpartition("@")
    if not at or ":" not in userinfo:
        return address
    return f"{scheme}{sep}{userinfo.split(':', 1)[0]}:***@{host}{slash}{path}"


@dataclass(frozen=True)
class ParcaStorePublication:
    """What a store charm asked to publish with ``publish()``, validated.

    The address is not part of it: it depends on the relation (the unit's
    address there), so it is worked out per relation by ``to_databag``.
    """

    port: int = DEFAULT_PORT
    insecure: bool = False
    external_url: Optional[str] = None
    bearer_token: Optional[str] = field(default=None, repr=False)

    def __repr__(self):
        return (f"ParcaStorePublication(port={self.port!r}, insecure={self.insecure!r}, "
                f"external_url={_masked(self.external_url)!r}, "
                f"bearer_token={_redacted(self.bearer_token)})")

    @classmethod
    def from_args(cls, port=DEFAULT_PORT, insecure=False, external_url=None, bearer_token=None):
        """Validate ``publish()``'s arguments; ``ValueError`` names the bad one (never the token).

        ``port`` must be an ``int`` (not a ``bool``) in 1-65535, ``insecure`` a
        ``bool``, ``external_url`` and ``bearer_token`` a string or None; an
        empty string means none.
        """
        if isinstance(port, bool) or not isinstance(port, int):
            raise ValueError(f"port must be an integer, got {type(port).__name__}")
        if not 1 <= port <= 65535:
            raise ValueError(f"port must be in 1-65535, got {port}")
        if not isinstance(insecure, bool):
            raise ValueError(f"insecure must be a bool, got {type(insecure).__name__}")
        if external_url is not None and not isinstance(external_url, str):
            raise ValueError("external_url must be a string or None, got "
                             f"{type(external_url).__name__}")
        if external_url and not external_url.strip():
            raise ValueError("external_url is blank: give the store's host:port, or None")
        if bearer_token is not None and not isinstance(bearer_token, str):
            raise ValueError("bearer_token must be a string or None, got "
                             f"{type(bearer_token).__name__}")
        return cls(port, insecure, external_url or None, bearer_token or None)

    def to_dict(self):
        """A plain dict, to remember the request in the unit's key-value store."""
        return {"port": self.port, "insecure": self.insecure,
                "external_url": self.external_url, "bearer_token": self.bearer_token}

    @classmethod
    def from_dict(cls, data):
        """The inverse of ``to_dict``."""
        return cls(**data)

    def address(self, bind_address=None):
        """The external URL as given, else ``bind_address:port``, else this unit's FQDN and port."""
        if self.external_url:
            return self.external_url
        return host_port(bind_address or local_fqdn(), self.port)

    def to_databag(self, bind_address=None):
        """The raw application databag for a relation on which this unit is at ``bind_address``."""
        bag = {ADDRESS: self.address(bind_address),
               INSECURE: "true" if self.insecure else "false"}
        if self.bearer_token:
            bag[BEARER_TOKEN] = self.bearer_token
        return bag


@dataclass(frozen=True)
class ParcaStoreConfig:
    """Where to send profiles, as a requirer reads it: typed, the token hidden from ``repr()``."""

    address: str
    bearer_token: Optional[str] = field(default=None, repr=False)
    insecure: bool = False
    #: the three keys as received (missing ones as ``""``): upstream's ``config`` dict
    raw: Dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __repr__(self):
        return (f"ParcaStoreConfig(address={_masked(self.address)!r}, "
                f"bearer_token={_redacted(self.bearer_token)}, insecure={self.insecure!r})")

    @classmethod
    def from_databag(cls, bag):
        """Decode a remote application databag (raw strings).

        Returns None when the store has published nothing (none of the three
        keys present). Raises ``InvalidDataError`` naming the key when

        * ``remote-store-address`` is missing or blank while other keys are
          present, or
        * ``remote-store-insecure`` is present and is not ``true`` or
          ``false`` (in any letter case).

        Anything else is accepted as it is: the address is not parsed (upstream
        passes it through, and an external URL may take any form).
        """
        raw = {key: bag.get(key) or "" for key in KEYS}
        if not any(raw.values()):
            return None
        if not raw[ADDRESS].strip():
            raise InvalidDataError(f"{ADDRESS} is missing (required)")
        insecure = False
        if raw[INSECURE]:
            insecure = _BOOLEANS.get(raw[INSECURE].lower())
            if insecure is None:
                shown = raw[INSECURE] if len(raw[INSECURE]) <= 20 else raw[INSECURE][:20] + "..."
                raise InvalidDataError(f"{INSECURE} is {shown!r}: expected 'true' or 'false'")
        return cls(raw[ADDRESS], raw[BEARER_TOKEN] or None, insecure, raw)

    def as_dict(self) -> Dict[str, str]:
        """Upstream's ``config`` dict: the three keys as received, missing ones as ``""``."""
        return dict(self.raw)
