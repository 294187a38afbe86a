# Vendored from layerlib/_state.py by `make vendor`: do not edit; edit the source.
"""Where a layer keeps its state, and the re-read a requires side makes after an upgrade.

Every shared mixin of the layers keeps what it needs in the unit's key-value
store (charmhelpers ``unitdata``), under ``interface.<interface>.<endpoint>.``,
so each endpoint of each interface has its own keys and a relation going away
can forget them by prefix.
"""

from charmhelpers.core import unitdata

from ._lifecycle import after_hooks

#: Non-relation hooks after which a requires side re-reads its relations.
REFRESH_HOOKS = ("upgrade-charm",)


def relation_sort_key(relation_id):
    """Order relation ids by their number (``x:2`` before ``x:10``)."""
    _, _, number = relation_id.rpartition(":")
    return (int(number), relation_id) if number.isascii() and number.isdigit() else (-1, relation_id)


class LayerState:
    """Mixin: the layer's keys in the unit's key-value store."""

    #: the interface name (interface.yaml ``name``): the key-value store prefix
    _interface = None

    @property
    def _kv(self):
        return unitdata.kv()

    def _key(self, name):
        return f"interface.{self._interface}.{self.endpoint_name}.{name}"


class RequiresState(LayerState):
    """Mixin: a requires side that re-reads its relations after ``REFRESH_HOOKS``."""

    @classmethod
    def _register(cls):
        """Re-read the relations after ``REFRESH_HOOKS`` (a new version of the charm must not
        trust what an older one stored). Called once by the layer's module."""
        after_hooks(REFRESH_HOOKS, "requires", cls._interface, cls, "_refresh_after")

    def _refresh_after(self, hook):
        self._refresh()
