# The simulated Juju's fixtures (make_unit, juju_unit, ...), for the tests in harness/;
# see docs/testing-your-charm.md. Loading the plugin imports nothing of charms.reactive,
# so the charms.unit_test tests in unit/ (run on their own) are not affected.
pytest_plugins = ["jujusim.plugin"]
