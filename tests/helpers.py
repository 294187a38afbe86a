"""The path helpers now live in ``kit/helpers.py``; this name stays for the modules at the top
of tests/ that still import ``helpers`` (test_urls.py, test_layer_copies.py) until they move."""

from kit.helpers import *  # noqa: F403
