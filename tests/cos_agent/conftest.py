"""Fixtures of the cos_agent tests: a charm of the test's own, with files written into it."""

import shutil

import pytest

from cos_agent.support import write_files


@pytest.fixture
def own_charm(charm_dir, tmp_path):
    """``own_charm(files=None)``: a copy of the test charm for this test only, with ``files``
    written into it (rules, dashboards); returns its path."""
    made = []

    def make(files=None):
        dest = str(tmp_path / f"charm{len(made)}")
        shutil.copytree(charm_dir, dest, symlinks=True)
        write_files(dest, files or {})
        made.append(dest)
        return dest

    return make
