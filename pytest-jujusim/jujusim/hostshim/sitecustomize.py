"""TEST-ONLY: loaded by hook processes the simulated Juju starts (via PYTHONPATH).

Installs the charmhelpers platform shim (``jujusim/ubuntu_platform_shim.py``)
so a built charm's hooks can run on a non-Ubuntu test host.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
try:
    from jujusim import ubuntu_platform_shim
finally:
    del sys.path[0]

ubuntu_platform_shim.install()
