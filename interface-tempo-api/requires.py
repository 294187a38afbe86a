"""Requires side of ``tempo_api``: learn where a Tempo-compatible query API is."""

from charmhelpers.core import hookenv, unitdata
from charms.reactive import Endpoint, clear_flag, set_flag, toggle_flag

from .common import InvalidDataError, TempoApiData

#: Non-relation hooks after which the layer re-reads its relations.
REFRESH_HOOKS = ("upgrade-charm",)


class TempoApiRequires(Endpoint):
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
        bag = self._kv.get(self._key("data"))
        return TempoApiData.from_dict(bag) if bag else None

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
        return f"interface.tempo_api.{self.endpoint_name}.{name}"

    def _read(self):
        """``(data, reason)`` from the related application: data or a reason it is unusable."""
        related = [r for r in self.relations if r.joined_units]
        if len(related) > 1:
            names = ", ".join(sorted(f"{r.application_name} ({r.relation_id})"
                                     for r in related))
            return None, (f"{len(related)} applications are related ({names}); this endpoint takes one "
                          "(limit: 1)")
        if not related:
            return None, None
        relation = related[0]
        try:
            return TempoApiData.from_databag(relation.received_app_raw), None
        except InvalidDataError as e:
            return None, f"relation {relation.relation_id} ({relation.application_name}): {e}"

    def _refresh(self):
        """Re-read the relation and set the public flags and stored data to match."""
        related = any(r.joined_units for r in self.relations)
        data, reason = self._read()
        encoded = data.as_dict() if data else None
        previous = self._kv.get(self._key("data"))
        if reason and reason != self.invalid_reason:
            hookenv.log(f"{self.endpoint_name}: unusable data: {reason}",
                        level=hookenv.WARNING)
        self._kv.set(self._key("data"), encoded)
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
    for name in hookenv.role_and_interface_to_relations("requires", "tempo_api"):
        endpoint = Endpoint.from_name(name)
        if isinstance(endpoint, TempoApiRequires):
            endpoint._refresh()


hookenv.atstart(_refresh_after_lifecycle_hook)
