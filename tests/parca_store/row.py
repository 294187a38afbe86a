"""parca_store's row of the cross-layer table (``kit.layer.Layer``)."""

from kit.layer import Layer


def _store_config(endpoint):
    data = endpoint.get_data()
    return data and (data.as_dict(), data.bearer_token)


ROW = Layer(
    interface="parca_store", provides="parca-store-endpoint", requires="profiling-store",
    remote_app="parca",
    app_data={"remote-store-address": "parca.cos.svc:7070",
              "remote-store-bearer-token": "tok-3f1a9c2e7b5d4e60",
              "remote-store-insecure": "false"},
    other_app_data={"remote-store-address": "parca-2.cos.svc:7070",
                    "remote-store-bearer-token": "tok-88d1c0e4a2f94b17",
                    "remote-store-insecure": "true"},
    publish=lambda e: e.publish(bearer_token="tok-5e2b7d9a0c3f4a81"),
    publish_other=lambda e: e.publish(port=7171, insecure=True,
                                      bearer_token="tok-0f6c3a8e1d2b4c95"),
    exposed=_store_config,
    app_keys=("remote-store-address", "remote-store-bearer-token", "remote-store-insecure"),
    # its values are no JSON: an empty address and an insecure that is not a boolean
    invalid_app_data={"remote-store-address": "", "remote-store-insecure": "maybe"},
    # an external URL, passed through verbatim
    secret_data=lambda password: {
        "remote-store-address": f"https://agent:{password}@parca.example.com:443/"},
    unusable_data={"remote-store-insecure": "sometimes"},
)
