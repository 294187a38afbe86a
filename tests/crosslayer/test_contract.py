"""The wire contract, as data: every case of every vectors file, through the real layer.

The runner is ``kit.contract``: by default it reads each registered layer's
``tests/<interface>/vectors.json``, or, when set, the ``*.json`` files of the directory
named by ``CONTRACT_VECTORS``. A file or a case it does not understand fails; nothing is
skipped.
"""

import os
import shutil

import pytest
import yaml

from kit import contract


@pytest.fixture(scope="session")
def charm_named(charms, tmp_path_factory):
    """``charm_named(name)``: the test charm of every layer, its metadata ``name`` changed
    to ``name`` (``None``: the test charm itself)."""
    charm_dir = charms()
    made = {None: charm_dir}

    def get(name):
        if name not in made:
            dest = str(tmp_path_factory.mktemp("charm-named") / name)
            shutil.copytree(charm_dir, dest)
            path = os.path.join(dest, "metadata.yaml")
            with open(path) as f:
                meta = yaml.safe_load(f)
            meta["name"] = name
            with open(path, "w") as f:
                yaml.safe_dump(meta, f)
            made[name] = dest
        return made[name]

    return get


@pytest.mark.parametrize("top,case", contract.collect())
def test_contract_case(top, case, make_unit, charm_named):
    adapter = contract.adapter_of(top, case)
    contract.RUNNERS[case["side"]](adapter, top, case, make_unit, charm_named)
