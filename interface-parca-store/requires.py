"""Requires side of ``parca_store``: learn where to send profiles."""

from charms.reactive import Endpoint

from ._app_requires import OneAppRequires
from .common import InvalidDataError, ParcaStoreConfig


class ParcaStoreRequires(OneAppRequires, Endpoint):
    """Reads where a Parca store (the Parca charm) takes profiles.

    The endpoint takes one related application (declare it with ``limit: 1``
    in ``metadata.yaml``). Remote data never makes a hook fail: data that
    cannot be used sets ``invalid`` and logs one WARNING line naming the
    relation and the key. The bearer token is never logged.

    Public flags:

    * ``{endpoint_name}.joined``: a remote application is related (a unit
      has joined), whatever its data; with ``available`` unset, the charm is
      related and waiting for data. Set and cleared by this layer.
    * ``{endpoint_name}.available``: a usable store configuration (with an
      address) is present; ``config``, ``address``, ``bearer_token`` and
      ``insecure`` return it. Set and cleared by this layer; it clears when
      the store's units depart or the relation is broken: the cue to stop
      sending profiles.
    * ``{endpoint_name}.changed``: the configuration differs from what it was when the
      charm last cleared this flag: set when it first appears, changes,
      becomes unusable, and when it goes away because the last unit departed
      or the relation was broken (so a handler on ``changed`` sees ``get_data()`` None and
      can clean up). Set by this layer; **cleared by the charm** once handled:
      the one flag that may outlive the relation.
    * ``{endpoint_name}.invalid``: the store sent data that cannot be used, or
      more than one application is related; ``invalid_reason`` says why. Set
      and cleared by this layer.

    Every flag but ``changed`` clears when the last relation on the endpoint goes away.
    """

    # -- public API -----------------------------------------------------------

    def get_data(self):
        """The store configuration as a ``ParcaStoreConfig``, or None when none is usable."""
        raw = self._stored()
        return ParcaStoreConfig.from_databag(raw) if raw else None

    @property
    def config(self):
        """Upstream's ``config`` dict: ``remote-store-address``, ``remote-store-bearer-token``
        and ``remote-store-insecure`` as received (missing ones as ``""``); ``{}`` when no
        usable configuration is present."""
        data = self.get_data()
        return data.as_dict() if data else {}

    @property
    def address(self):
        """Where to send profiles (``host:port``, or the store's external URL), or None."""
        data = self.get_data()
        return data.address if data else None

    @property
    def bearer_token(self):
        """The bearer token to present to the store, or None. A secret: do not log it."""
        data = self.get_data()
        return data.bearer_token if data else None

    @property
    def insecure(self):
        """True when the store says to skip TLS verification (False without data)."""
        data = self.get_data()
        return data.insecure if data else False

    # -- the interface-specific part ----------------------------------------

    _interface = "parca_store"
    _invalid_error = InvalidDataError
    _stored_name = "config"

    def _decode(self, bag):
        return ParcaStoreConfig.from_databag(bag)


ParcaStoreRequires._register()
