"""The row of one interface layer in the cross-layer table: what the tests run over every
layer need to drive it.

The cross-layer tests (``tests/crosslayer/test_robustness_lifecycle.py``, the fuzz
properties of each layer) run the same scenario against every layer; a row says, per
layer, which endpoints of the test charm to use, what valid remote data looks like, how a
charm handler publishes, and where the layer keeps its state. Each layer's row is
``ROW = Layer(...)`` in ``tests/<interface>/row.py``; ``kit.registered.rows()`` collects
them in registry order.
"""

from dataclasses import dataclass, field
from typing import Callable, Dict, Optional

UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


@dataclass(frozen=True)
class Layer:
    #: interface name (interface.yaml ``name``, the kv key prefix ``interface.<name>.``)
    interface: str
    #: endpoint names in the example charm's metadata.yaml
    provides: str
    requires: str
    #: the related application's name on the requires side
    remote_app: str
    #: remote application databag that the requires side accepts, and another one
    app_data: Dict[str, str]
    other_app_data: Dict[str, str]
    #: ``publish(endpoint)`` and ``publish_other(endpoint)``: a charm handler's call
    publish: Callable
    publish_other: Callable
    #: what the requires side exposes (comparable values), from the endpoint
    exposed: Callable
    #: remote unit databags the requires side needs (by unit index), if any
    unit_data: Dict[int, Dict[str, str]] = field(default_factory=dict)
    #: whether provides writes the unit's own databag too (parca_scrape: its address)
    writes_unit_data: bool = False
    #: the app databag keys that are the layer's (everything else is not written)
    app_keys: tuple = ()
    #: charm config the test charm starts with (none needed by the layers)
    config: Optional[dict] = None
    #: an app databag the requires side finds unusable (default: every app key ``{not json``)
    invalid_app_data: Optional[Dict[str, str]] = None
    #: the leak test's valid data is ``app_data`` with ``user:<password>@`` put into every URL;
    #: ``secret_data(password)`` gives keys to change on top (data that holds no URL)
    secret_data: Optional[Callable] = None
    #: the leak test's unusable data is ``other_app_data`` with a password put into every URL
    #: and the ports broken; keys to change on top, where that alone leaves it usable
    unusable_data: Dict[str, str] = field(default_factory=dict)
    #: a layer whose requires side reads remote *unit* databags (cos_agent): unit databags
    #: (by unit index) it finds unusable, and ``secret_unit_data(password)``, usable unit
    #: databags that hold ``password`` in a URL (the leak test's data)
    unusable_unit_data: Optional[Dict[int, Dict[str, str]]] = None
    secret_unit_data: Optional[Callable] = None
    #: application keys the requires side's leader writes back, as upstream's requirer does
    #: (prometheus_scrape: ``event``); none by default
    requires_app_keys: tuple = ()
    #: the public provides flags set while a remote unit is related, nothing published yet
    provides_joined_flags: tuple = ("joined",)

    @property
    def id(self):
        return self.interface

    def unusable_app_data(self):
        """``invalid_app_data``, or every app key set to ``{not json``."""
        if self.invalid_app_data is not None:
            return dict(self.invalid_app_data)
        return dict.fromkeys(self.app_keys, "{not json")

    def kv_prefix(self, endpoint):
        """Where the layer keeps its state for ``endpoint`` in the unit's key-value store."""
        return f"interface.{self.interface}.{endpoint}."


def public_flags(flags, endpoint):
    """The flags of ``flags`` that are ``endpoint``'s public ones (``{endpoint}.*``)."""
    return {f for f in flags if f.startswith(endpoint + ".")}


def relate_requires(unit, layer, app_data=None, unit_data=None, **kw):
    """Relate ``unit``'s requires endpoint to the layer's remote application, with data
    (``unit_data``: the remote unit databags by index, ``layer.unit_data`` by default)."""
    data = layer.app_data if app_data is None else app_data
    bags = layer.unit_data if unit_data is None else unit_data
    names = [f"{layer.remote_app}/{i}" for i in range(max(1, len(bags)))]
    unit_data = {names[i]: bag for i, bag in bags.items()}
    if unit.endpoints[layer.requires]["scope"] == "container":
        unit.subordinate = True  # Juju: a container-scoped endpoint is a subordinate's
    return unit.relate(layer.requires, layer.remote_app, units=names, app_data=data,
                       unit_data=unit_data, **kw)
