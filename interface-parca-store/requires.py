"""Requires side of ``parca_store``: learn where to send profiles."""

from charmhelpers.core import hookenv, unitdata
from charms.reactive import Endpoint, clear_flag, set_flag, toggle_flag

from .common import InvalidDataError, ParcaStoreConfig

#: Non-relation hooks after which the layer re-reads its relations.
REFRESH_HOOKS = ("upgrade-charm",)


class ParcaStoreRequires(Endpoint):
    """Reads where a Parca store (the Parca charm) takes profiles.

    The endpoint takes one related application (declare it with ``limit: 1``
    in ``metadata.yaml``). Remote data never makes a hook fail: data that
    cannot be used sets ``invalid`` and logs one WARNING line naming the
    relation and the key. The bearer token is never logged.

    Public flags:

    * ``{endpoint_name}.available``: a usable store configuration (with an
      address) is present; ``config``, ``address``, ``bearer_token`` and
      ``insecure`` return it. Set and cleared by this layer; it clears when
      the store's units depart or the relation is broken: the cue to stop
      sending profiles.
    * ``{endpoint_name}.changed``: the configuration differs from what it was
      in the previous hook that read it (set also when it first appears, and
      when it goes away or becomes unusable while a relation remains). Set by
      this layer; **cleared by the charm** once handled.
    * ``{endpoint_name}.invalid``: the store sent data that cannot be used, or
      more than one application is related; ``invalid_reason`` says why. Set
      and cleared by this layer.

    All three clear when the last relation on the endpoint goes away.
    """

    # -- public API -----------------------------------------------------------

    def get_data(self):
        """The store configuration as a ``ParcaStoreConfig``, or None when none is usable."""
        raw = self._kv.get(self._key("config"))
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

    @property
    def invalid_reason(self):
        """Why the remote data is unusable (a sentence naming the relation), or None."""
        return self._kv.get(self._key("invalid"))

    # -- framework hooks ------------------------------------------------------

    def manage_flags(self):
        """Called by charms.reactive in this endpoint's relation hooks, and in every hook while
        the endpoint has no joined unit: re-read the data."""
        self._refresh()

    # -- internals ------------------------------------------------------------

    @property
    def _kv(self):
        return unitdata.kv()

    def _key(self, name):
        return f"interface.parca_store.{self.endpoint_name}.{name}"

    def _read(self):
        """``(config, reason)`` of the related application: its configuration, or why not."""
        related = [r for r in self.relations if r.joined_units]
        if len(related) > 1:
            names = ", ".join(sorted(f"{r.application_name} ({r.relation_id})"
                                     for r in related))
            return None, (f"{len(related)} applications are related ({names}); "
                          "this endpoint takes one (limit: 1)")
        if not related:
            return None, None
        relation = related[0]
        try:
            return ParcaStoreConfig.from_databag(relation.received_app_raw), None
        except InvalidDataError as e:
            return None, f"relation {relation.relation_id} ({relation.application_name}): {e}"

    def _refresh(self):
        """Re-read the relation and set the public flags and stored configuration to match."""
        related = any(r.joined_units for r in self.relations)
        data, reason = self._read()
        encoded = data.as_dict() if data else None
        previous = self._kv.get(self._key("config"))
        if reason and reason != self.invalid_reason:
            hookenv.log(f"{self.endpoint_name}: unusable data: {reason}",
                        level=hookenv.WARNING)
        self._kv.set(self._key("config"), encoded)
        self._kv.set(self._key("invalid"), reason)
        toggle_flag(self.expand_name("{endpoint_name}.available"), data is not None)
        toggle_flag(self.expand_name("{endpoint_name}.invalid"), reason is not None)
        if not related:
            clear_flag(self.expand_name("{endpoint_name}.changed"))
            self._kv.unsetrange(prefix=self._key(""))
        elif encoded != previous:
            set_flag(self.expand_name("{endpoint_name}.changed"))


def _refresh_after_lifecycle_hook():
    """A new version of the charm re-reads its relations instead of trusting stored data.

    Registered with ``hookenv.atstart`` when charms.reactive imports this
    module: it runs at the start of every hook, after the framework has
    created the endpoints, and costs nothing outside ``REFRESH_HOOKS``.
    """
    if hookenv.hook_name() not in REFRESH_HOOKS:
        return
    for name in hookenv.role_and_interface_to_relations("requires", "parca_store"):
        endpoint = Endpoint.from_name(name)
        if isinstance(endpoint, ParcaStoreRequires):
            endpoint._refresh()


hookenv.atstart(_refresh_after_lifecycle_hook)
