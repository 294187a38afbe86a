"""Base class of the contract adapters (one per layer: ``tests/<interface>/adapter.py``).

The runner (``kit.contract``) knows the vector format and Juju; an adapter knows one
layer: its endpoint names in the test charm, how to make the provider call from a case,
what the requirer exposes, and which parts of a databag value upstream leaves
arbitrary (everything else is compared byte for byte). A layer's ``adapter.py`` defines a
subclass and ``ADAPTER``, an instance of it; ``kit.registered.adapters()`` collects them.
"""

from kit import exact


class Adapter:
    #: interface name, as in the vectors' ``interface`` field and interface.yaml
    interface = None
    #: endpoint names of the two sides in the example charm's metadata.yaml
    provides_endpoint = None
    requires_endpoint = None
    #: case keys that are inputs of a provider case (beyond the common ones)
    provider_inputs = ()
    #: expect keys of a provider case checked by ``check_provider()`` (beyond the databags)
    provider_expect_fields = ()
    #: case keys that are inputs of a requirer case (beyond the remote data, ``leader``,
    #: ``local``), used by ``require()``
    requirer_inputs = ()
    #: expect keys of a requirer case that come from ``exposed()``
    exposed_fields = ()
    #: whether the requirer side writes into its own databags (then its cases say what, in
    #: an expect field the adapter checks); when false the runner checks that a requirer
    #: case leaves every local databag empty
    requirer_writes = False
    #: expect keys of a requirer case checked by ``check_after()``, once the
    #: runner's own comparisons have passed (e.g. what happens on departure)
    after_fields = ()

    def unit_kwargs(self, case):
        """Extra arguments for the local unit (its address, fqdn, ...)."""
        return {}

    def remote(self, case):
        """The application a provider case's relation is with, and its units' databags
        (``{unit: bag}``; None: one unit, nothing in its databag)."""
        return "remote", None

    def remote_app_data(self, case):
        """The remote application databag of a provider case's relation (None: empty)."""
        return None

    def observe(self, endpoint, case):
        """``{name: value}``: what the provider reads back in the same hook, after the call
        (for ``check_provider``)."""
        return {}

    def check_provider(self, field, expected, unit_bag, seen):
        """Check ``expect[field]`` of a provider case against the unit's databag and what
        ``observe`` recorded."""
        raise NotImplementedError(f"{type(self).__name__} has provider_expect_fields but no "
                                  "check_provider")

    def drive(self, unit, rids, case):
        """What the remote side does once the relations are made and before the runner's
        hook (e.g. writes into its application databag: ``unit.set_remote_app_data``);
        ``rids`` are the runner's relation ids, in case order. By default nothing."""

    def require(self, endpoint, case):
        """What the requirer charm calls before the runner reads ``exposed`` (its settings)."""

    def provide(self, endpoint, case):
        """Make the provider call the case describes, on ``endpoint``: by default
        ``publish(**case["publish"])`` (``provider_inputs = ("publish",)``)."""
        endpoint.publish(**case["publish"])

    def exposed(self, endpoint):
        """``{field: value}`` for every name in ``exposed_fields``, as the layer exposes it: by
        default ``{"data": get_data().as_dict()}``, None without data
        (``exposed_fields = ("data",)``)."""
        data = endpoint.get_data()
        return {"data": data.as_dict() if data else None}

    def available(self, expect):
        """Whether ``available`` is expected, for requirer cases whose ``expect`` omits it."""
        raise AssertionError("expect has no 'available' and the adapter cannot derive it")

    def check_after(self, unit, rids, expect):
        """Check the ``after_fields`` in ``expect`` (only those present) on ``unit``.

        ``rids`` are the ids of the relations the runner made, in case order.
        The adapter may drive further hooks; it asserts what it checks.
        """
        raise NotImplementedError(f"{type(self).__name__} has after_fields but no check_after")

    def normalise(self, field, value):
        """Bring an exposed value into a comparable form (e.g. unordered collections)."""
        return value

    def compare(self, field, seen, expected, rids):
        """Assert that the exposed ``seen`` is the ``expected`` value of ``field``; ``rids``
        are the runner's relation ids, in case order (for values that name relations)."""
        assert self.normalise(field, seen) == self.normalise(field, expected)

    def compare_value(self, bag, key, got, want, case):
        """Assert that the value the layer wrote under ``key`` of ``bag`` (``app_databag``,
        ``unit_databag``, ...) is the recorded ``want``: by default byte for byte (same key
        order, separators, escaping, compressed bytes). An adapter overrides this only for
        a value of which upstream leaves a part arbitrary (set order, Juju's unit order), and
        compares only that part unordered; the contract says which."""
        exact.assert_same_string(got, want, f"{bag}[{key!r}]")
