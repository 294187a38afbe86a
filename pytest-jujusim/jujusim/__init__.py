"""The simulated Juju for testing reactive charms (docs/testing-your-charm.md).

The ``pytest-jujusim`` distribution: ``jujusim.driver`` (the ``Unit`` that fires
Juju's hooks), ``jujusim.plugin`` (its pytest fixtures, loaded by pytest through
the ``pytest11`` entry point), ``jujusim.build`` (offline charm-build).
"""

__version__ = "0.1.0"
