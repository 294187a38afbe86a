# Vendored from layerlib/_app_requires.py by `make vendor`: do not edit; edit the source.
"""Requires side of an interface whose endpoint takes one related application (``limit: 1``).

A layer mixes ``OneAppRequires`` into its ``Endpoint`` subclass (before
``Endpoint``) and gives it ``_interface`` and ``_decode``. The mixin reads the
related application's databag, keeps what it decoded in the unit's key-value
store (``interface.<interface>.<endpoint>.``), sets the public flags
(``joined``, ``available``, ``changed``, ``invalid``) and never lets remote data
raise: unusable data sets ``invalid`` and logs one WARNING line naming the
relation. ``changed`` is also set when the data goes away (the last unit
departed, the relation was broken): the one flag that outlives the relation,
until the charm clears it.
"""

from charmhelpers.core import hookenv
from charms.reactive import set_flag, toggle_flag

from ._state import RequiresState


class OneAppRequires(RequiresState):
    """Mixin: the refresh and flags of a one-application requires side."""

    #: the layer's exception for unusable remote data (a ``ValueError``)
    _invalid_error = ValueError
    #: the key-value store name of the decoded data (``<prefix><_stored_name>``)
    _stored_name = "data"

    def _decode(self, bag):
        """The data of the raw application databag ``bag`` (an object with ``as_dict()``),
        None when nothing is published yet; raises ``_invalid_error`` when it is unusable."""
        raise NotImplementedError

    @property
    def invalid_reason(self):
        """Why the remote data is unusable (a sentence naming the relation), or None."""
        return self._kv.get(self._key("invalid"))

    def manage_flags(self):
        """Called by charms.reactive in this endpoint's relation hooks, and in every hook while
        the endpoint has no joined unit: re-read the data."""
        self._refresh()

    # -- internals ------------------------------------------------------------


    def _stored(self):
        """What was decoded last (``as_dict()`` of the data), or None."""
        return self._kv.get(self._key(self._stored_name))

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
            return self._decode(relation.received_app_raw), None
        except self._invalid_error as e:
            return None, f"relation {relation.relation_id} ({relation.application_name}): {e}"

    def _refresh(self):
        """Re-read the relation and set the public flags and stored data to match.

        ``changed`` is set whenever what ``_stored()`` holds differs from before,
        also when it goes away because the last unit departed or the relation was
        broken; only the charm clears it.
        """
        related = any(r.joined_units for r in self.relations)
        data, reason = self._read()
        encoded = data.as_dict() if data else None
        previous = self._stored()
        if reason and reason != self.invalid_reason:
            hookenv.log(f"{self.endpoint_name}: unusable data: {reason}",
                        level=hookenv.WARNING)
        if related:
            self._kv.set(self._key(self._stored_name), encoded)
            self._kv.set(self._key("invalid"), reason)
        else:
            self._kv.unsetrange(prefix=self._key(""))
        toggle_flag(self.expand_name("{endpoint_name}.joined"), related)
        toggle_flag(self.expand_name("{endpoint_name}.available"), data is not None)
        toggle_flag(self.expand_name("{endpoint_name}.invalid"), reason is not None)
        if encoded != previous:
            set_flag(self.expand_name("{endpoint_name}.changed"))
