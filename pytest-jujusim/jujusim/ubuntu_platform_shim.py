"""TEST-ONLY SHIM: let charmhelpers import on a non-Ubuntu test host.

charmhelpers refuses to import ``charmhelpers.core.host`` (and so
charms.reactive) on any host whose /etc/os-release does not name Ubuntu
(its platform check in ``charmhelpers.osplatform.get_platform``). Juju units
run Ubuntu; the machines that run this test suite may not. ``install()``
makes the platform check answer "ubuntu" when, and only when, the real check
refuses the host. It is never part of a layer or of a built charm.
"""


def install():
    """Patch charmhelpers' platform check before charmhelpers.core.host is imported."""
    import charmhelpers.osplatform as osplatform

    real = getattr(osplatform.get_platform, "__wrapped__", osplatform.get_platform)
    try:
        real()
        return
    except RuntimeError:
        pass

    def get_platform():
        return "ubuntu"

    get_platform.__wrapped__ = real
    osplatform.get_platform = get_platform
