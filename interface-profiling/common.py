"""Wire format of the ``profiling`` interface: the one place that knows it.

The profiling backend (the Pyroscope coordinator, or an opentelemetry-collector
that receives profiles) writes two keys into its *application* databag, each
value **JSON-encoded**:

* ``otlp_grpc_endpoint_url``: a JSON string, the address where senders push
  profiles over OTLP gRPC (Pyroscope writes ``host:port``, without a scheme);
  passed through verbatim, never parsed;
* ``insecure``: JSON ``true`` or ``false`` (``false`` when the backend does
  not say): whether senders skip TLS.

This is what the upstream ops library
(``charms.pyroscope_coordinator_k8s.v0.profiling``, LIBAPI 0, LIBPATCH 5)
writes and reads. Upstream validates both sides with pydantic, so a boolean is
whatever pydantic accepts as one: ``to_bool`` is that rule (``_bools.py``, shared
with cos_agent).
"""

import json
from dataclasses import dataclass
from typing import Dict, Optional

from ._bools import to_bool as _pydantic_bool
from ._errors import InvalidDataError
from ._jsondata import Budget, LimitExceeded, loads

ENDPOINT = "otlp_grpc_endpoint_url"
INSECURE = "insecure"
KEYS = (ENDPOINT, INSECURE)

#: How much of a rejected value a message shows.
_SHOWN = 20


def to_bool(value):
    """``value`` as a boolean, by the rule upstream's pydantic models apply (``_bools.to_bool``:
    ``True``/``False``, ``1``/``0``, ``"true"``/``"false"``, ``"yes"``/``"no"``, ``"on"``/
    ``"off"``, ``"t"``/``"f"``, ``"y"``/``"n"``, ``"1"``/``"0"`` in any ASCII letter case);
    ``ValueError`` naming the value (shortly, never a credential) when it is not one."""
    try:
        return _pydantic_bool(value)
    except ValueError:
        raise ValueError(f"{_describe(value)} is not a boolean") from None


def _describe(value):
    """A short description of a rejected value for a message: strings shown (cut short, and
    not at all when they could hold credentials), other values by their type."""
    if isinstance(value, str):
        if "@" in value or "://" in value:
            return f"a string of {len(value)} characters"
        shown = value if len(value) <= _SHOWN else value[:_SHOWN] + "..."
        return repr(shown)
    if value is None:
        return "null"
    if isinstance(value, (bool, int, float)):
        return repr(value) if len(repr(value)) <= _SHOWN else f"a {type(value).__name__}"
    return f"a {type(value).__name__}"


def _decode_json(bag, key, budget):
    """The JSON value of ``key`` in a raw databag, decoded strictly (no ``NaN`` or
    ``Infinity``) within ``budget`` (the relation's); ``InvalidDataError`` when it is not JSON
    (``LimitExceeded`` when it is far too big)."""
    try:
        return loads(bag[key], key, budget)
    except LimitExceeded:
        raise
    except InvalidDataError:
        raise InvalidDataError(
            f"{key} is not JSON (expected a JSON-encoded value, e.g. a quoted string)") from None


@dataclass(frozen=True)
class ProfilingEndpoint:
    """Where to send profiles: the OTLP gRPC address and whether to skip TLS.

    The requires side returns these (the names are upstream's); the provides
    side builds one from ``publish_endpoint``'s arguments.
    """

    otlp_grpc: str
    insecure: bool = False

    @classmethod
    def from_args(cls, otlp_grpc_endpoint, insecure=False):
        """Validate ``publish_endpoint()``'s arguments; ``ValueError`` names the bad one.

        ``otlp_grpc_endpoint`` must be a non-blank ``str`` (kept verbatim);
        ``insecure`` is converted by ``to_bool``.
        """
        if not isinstance(otlp_grpc_endpoint, str):
            raise ValueError("otlp_grpc_endpoint must be a string (host:port), got "
                             f"{type(otlp_grpc_endpoint).__name__}")
        if not otlp_grpc_endpoint.strip():
            raise ValueError("otlp_grpc_endpoint is empty: give the OTLP gRPC address "
                             "(host:port)")
        try:
            flag = to_bool(insecure)
        except ValueError:
            raise ValueError("insecure must be a boolean (True or False), got "
                             f"{_describe(insecure)}") from None
        return cls(otlp_grpc_endpoint, flag)

    def to_databag(self) -> Dict[str, str]:
        """The provider's application databag: both keys, JSON-encoded."""
        return {ENDPOINT: json.dumps(self.otlp_grpc), INSECURE: json.dumps(self.insecure)}

    @classmethod
    def from_databag(cls, bag) -> Optional["ProfilingEndpoint"]:
        """Decode a remote application databag (raw strings).

        Returns None when the backend has published neither key yet (other
        keys are ignored, JSON or not). Raises ``InvalidDataError`` naming the
        key when

        * a value of the two is not JSON,
        * ``otlp_grpc_endpoint_url`` is missing, not a JSON string, or blank,
        * ``insecure`` is not a boolean by ``to_bool`` (the JSON strings
          ``"true"`` and ``"false"`` are; a missing ``insecure`` is ``false``).
        """
        present = [key for key in KEYS if bag.get(key)]
        if not present:
            return None
        budget = Budget()
        decoded = {key: _decode_json(bag, key, budget) for key in present}
        if ENDPOINT not in decoded:
            raise InvalidDataError(f"{ENDPOINT} is missing (required)")
        address = decoded[ENDPOINT]
        if not isinstance(address, str):
            raise InvalidDataError(
                f"{ENDPOINT} is {_describe(address)}: expected a JSON string (host:port)")
        if not address.strip():
            raise InvalidDataError(f"{ENDPOINT} is empty: expected the OTLP gRPC address")
        insecure = False
        if INSECURE in decoded:
            try:
                insecure = to_bool(decoded[INSECURE])
            except ValueError as e:
                raise InvalidDataError(f"{INSECURE}: {e} (expected true or false)") from None
        return cls(address, insecure)

    def as_dict(self):
        """``{"otlp_grpc": ..., "insecure": ...}``: the fields of upstream's endpoint."""
        return {"otlp_grpc": self.otlp_grpc, "insecure": self.insecure}
