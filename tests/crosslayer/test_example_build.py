"""The example charm, built by the real charm-build from the local layers."""

import os

from kit import helpers


def test_built_charm_contains_every_layer_without_tests_or_docs(built_charm):
    relations = os.path.join(built_charm, "hooks", "relations")
    layers = helpers.layer_dirs()
    assert sorted(os.listdir(relations)) == sorted(layers)
    for name in layers:
        files = set(os.listdir(os.path.join(relations, name)))
        assert {"__init__.py", "common.py", "provides.py", "requires.py",
                "interface.yaml"} <= files, name
        assert not files & {"README.md", "docs", "tests"}, name
        # ... although the layer itself has them: the exclusion is what keeps them out.
        assert {"README.md", "docs"} <= set(os.listdir(layers[name])), name


def test_built_charm_has_a_hook_for_every_relation_event(built_charm):
    hooks = set(os.listdir(os.path.join(built_charm, "hooks")))
    for endpoint in ("metrics-api", "prometheus-api"):
        for event in ("created", "joined", "changed", "departed", "broken"):
            assert f"{endpoint}-relation-{event}" in hooks
    for hook in ("install", "leader-elected", "upgrade-charm", "update-status"):
        assert os.access(os.path.join(built_charm, "hooks", hook), os.X_OK)


def test_built_charm_carries_the_example_handlers(built_charm):
    assert os.path.exists(os.path.join(built_charm, "reactive", "demo_prometheus_api.py"))
