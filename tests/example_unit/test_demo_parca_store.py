"""The example charm's parca_store handlers, with charms.reactive mocked."""

import os
from unittest.mock import MagicMock

import pytest
from charmhelpers.core import hookenv, unitdata
from charms import reactive
from charms.unit_test import flags

from reactive import demo_parca_store as demo

TOKEN = "s3cr3t-unit-test-token"
CONFIG = {"parca-store-port": 7070, "parca-store-insecure": False,
          "parca-store-external-url": "", "parca-store-bearer-token": ""}


@pytest.fixture
def endpoint(tmp_path):
    ep = MagicMock(name="endpoint")
    reactive.endpoint_from_name.return_value = ep
    hookenv.charm_dir.return_value = str(tmp_path)
    return ep


def all_hookenv_text():
    """Everything the handlers passed to hookenv.log and hookenv.status_set."""
    return repr(hookenv.log.call_args_list) + repr(hookenv.status_set.call_args_list)


def test_send_profiles_writes_the_agent_config_and_clears_changed(endpoint, tmp_path):
    endpoint.address, endpoint.bearer_token, endpoint.insecure = "parca:7070", TOKEN, True
    flags.add("profiling-store.changed")
    demo.send_profiles_to_store()
    reactive.endpoint_from_name.assert_called_with("profiling-store")
    path = tmp_path / demo.AGENT_STORE_CONFIG
    assert path.read_text() == f"store_address: parca:7070\ninsecure: true\nbearer_token: {TOKEN}\n"
    assert os.stat(path).st_mode & 0o777 == 0o600
    hookenv.status_set.assert_not_called()  # demo_status sets the status at hook end
    assert "profiling-store.changed" not in flags and "demo.sending-profiles" in flags
    assert TOKEN not in all_hookenv_text()


def test_stop_sending_removes_the_agent_config(endpoint, tmp_path):
    (tmp_path / demo.AGENT_STORE_CONFIG).write_text("x")
    flags.add("demo.sending-profiles")
    demo.stop_sending_profiles()
    assert not (tmp_path / demo.AGENT_STORE_CONFIG).exists()
    assert "demo.sending-profiles" not in flags


def test_publish_passes_config(endpoint):
    hookenv.config.return_value = dict(CONFIG, **{"parca-store-bearer-token": TOKEN})
    demo.publish_parca_store()
    endpoint.publish.assert_called_once_with(port=7070, insecure=False, external_url=None,
                                             bearer_token=TOKEN)
    assert not unitdata.kv().getrange("demo.problem.")


def test_publish_blocks_on_invalid_config(endpoint):
    hookenv.config.return_value = dict(CONFIG, **{"parca-store-port": 0})
    endpoint.publish.side_effect = ValueError("port must be in 1-65535, got 0")
    demo.publish_parca_store()
    assert unitdata.kv().getrange("demo.problem.", strip=True) == {
        "parca-store-endpoint": "invalid parca-store config: port must be in 1-65535, got 0"}
