"""The interface layers the test suite knows: one line per layer.

Each name is an interface name (``interface.yaml`` ``name``) and the name of its test
package, ``tests/<name>/``: its side tests, contract vectors and adapter, its row of the
cross-layer table, its fuzz properties and its hook-cost cases. Every test that runs over
all layers (``tests/crosslayer/``, ``make fuzz``, ``make bench``) takes them from here, in
this order. Adding a layer: the layer, its test package, one line here, and the example
charm's handlers (README.md, "Adding a layer").
"""

LAYERS = (
    "prometheus_api",
    "tempo_api",
    "parca_scrape",
    "parca_store",
    "cos_agent",
    "profiling",
    "prometheus_scrape",
    "grafana_dashboard",
)
