"""parca_store's hook-cost cases (``kit.hookcases``): ``make bench`` and the call-count tests
(``crosslayer/test_hook_cost.py``)."""

from kit.hookcases import Case

ENDPOINTS = {
    "parca-store-endpoint": Case(
        "parca_store", "provides",
        publish=lambda e: e.publish(bearer_token="s3cret-token"),
        publish_given_address=lambda e: e.publish(external_url="parca.example.com:443",
                                                  bearer_token="s3cret-token"),
        flat_in_units=True),
    "profiling-store": Case(
        "parca_store", "requires", one_relation=True,
        app_data=lambda app: {"remote-store-address": f"{app}:7070",
                              "remote-store-insecure": "false"}),
}
