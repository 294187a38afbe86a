"""How the contract runner drives each interface: one adapter module per interface.

The runner (``test_contract.py``) knows the vector format and Juju; an
adapter knows one layer: its endpoint names in the example charm, how to make
the provider call from a case, what the requirer exposes, and which keys
carry JSON. Adding an interface means adding a module here (it is imported
automatically) and its vectors file.
"""

import importlib
import os
import pkgutil

from .base import ADAPTERS, Adapter, register

for _module in pkgutil.iter_modules([os.path.dirname(os.path.abspath(__file__))]):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["ADAPTERS", "Adapter", "register"]
