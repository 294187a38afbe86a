"""Shared test machinery: contract runner, cross-layer rows, leak check, fuzz and hook-cost drivers, paths."""
