"""The hook-cost cases of the registered layers: how to drive each endpoint of the example.

Each layer's ``tests/<interface>/hookcost.py`` has ``ENDPOINTS``, ``{endpoint name: Case}``
for its two endpoints in the example charm, and may have ``CONFIG`` (example charm config
the bench sets for its handlers) and ``timings(bench, charm_dir, quick, workdir)`` (records
of a measurement of its own, titled ``TIMINGS_TITLE``). The bench (``kit/hookcost.py``,
``make bench``) and the call-count tests (``crosslayer/test_hook_cost.py``) take them from
here, in registry order.
"""

from dataclasses import dataclass
from typing import Callable, Optional

from kit import registered


@dataclass(frozen=True)
class Case:
    #: interface name (its test package) and side of the endpoint
    layer: str
    side: str
    #: measured on one relation only: the endpoint takes one related application
    one_relation: bool = False
    #: ``app_data(app)``: the databag of a related application (requires sides)
    app_data: Optional[Callable] = None
    #: ``unit_data(name, address)``: the databag of a related unit (requires sides)
    unit_data: Optional[Callable] = None
    #: what a charm asks a provides side to publish (the call-count tests' layers charm)
    publish: Optional[Callable] = None
    #: a provides side whose published data holds the unit's address: the same publication
    #: with the address given by the charm (config-changed has nothing to re-check then)
    publish_given_address: Optional[Callable] = None
    #: relation-changed costs the same beyond the framework whatever the related units
    flat_in_units: bool = False


def layer_modules():
    """``{interface: hookcost module}`` of every registered layer."""
    return registered.modules("hookcost")


def endpoints():
    """``{endpoint: Case}`` of every registered layer, in registry order."""
    out = {}
    for module in layer_modules().values():
        out.update(module.ENDPOINTS)
    return out


def config():
    """The example charm config every layer's bench cases ask for."""
    out = {}
    for module in layer_modules().values():
        out.update(getattr(module, "CONFIG", {}))
    return out


def timed_layers():
    """The hookcost modules that time something of their own (``timings``)."""
    return [m for m in layer_modules().values() if hasattr(m, "timings")]
