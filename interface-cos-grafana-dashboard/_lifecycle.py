# Vendored from layerlib/_lifecycle.py by `make vendor`: do not edit; edit the source.
"""Run a method of every endpoint of one layer after given non-relation hooks.

charms.reactive calls an endpoint's ``manage_flags`` in its own relation hooks
(and while it has no joined unit); a layer that must also act after, say,
``leader-elected`` or ``upgrade-charm`` registers that here, when the
framework imports the layer's module.
"""

from charmhelpers.core import hookenv
from charms.reactive import Endpoint


def after_hooks(hooks, role, interface, cls, method):
    """In every hook named in ``hooks``, call ``method`` (a name) on each endpoint of ``role``
    (``"provides"`` or ``"requires"``) and ``_interface`` that is a ``cls``.

    Registered with ``hookenv.atstart``: it runs at the start of every hook,
    after the framework has created the endpoints, and costs nothing outside
    ``hooks``. ``method`` is called with the hook's name.
    """

    def run():
        hook = hookenv.hook_name()
        if hook not in hooks:
            return
        for name in hookenv.role_and_interface_to_relations(role, interface):
            endpoint = Endpoint.from_name(name)
            if isinstance(endpoint, cls):
                getattr(endpoint, method)(hook)

    hookenv.atstart(run)
