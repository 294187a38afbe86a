"""Build-time half of the OFFLINE TEST STAND-IN for layer:basic (not layer:basic).

charm-build loads this module because the stand-in's ``layer.yaml`` lists its
classes under ``tactics`` (charm-tools' hook for a layer to process files
itself). Together they make sure a charm built with the stand-in cannot be
mistaken for a real build:

- ``NotDeployableMarker`` copies ``NOT-DEPLOYABLE`` to the top of the built
  charm and logs, while the charm is being built, a WARNING that says the
  result is not deployable, plus one naming every ``basic`` option the charm
  sets (the stand-in ignores them all);
- ``StandInReadme`` writes the built charm's ``README.md`` as the text of
  ``NOT-DEPLOYABLE`` followed by the charm's own README (or the notice alone
  when the charm has none), so neither the stand-in's README nor the charm's
  alone ends up as the README of a charm that looks finished.

The module is excluded from the built charm (``layer.yaml``: ``exclude``). It
imports charm-tools, which exists only in the process that runs charm-build.
"""

import logging
import os

from charmtools.build.tactics import ExcludeTactic, IgnoreTactic, Tactic

log = logging.getLogger("build")

STANDIN_DIR = os.path.dirname(os.path.abspath(__file__))
MARKER = "NOT-DEPLOYABLE"
README = "README.md"
#: What the real layer:basic accepts under ``options: basic:`` (its ``defines``).
BASIC_OPTIONS = ("packages", "python_packages", "use_venv", "include_system_packages")


def _is_standin(layer):
    """True for the stand-in itself (the layer this module lives in)."""
    return os.path.realpath(layer.directory) == os.path.realpath(STANDIN_DIR)


def _notice():
    """The text of ``NOT-DEPLOYABLE``: what the built charm says about itself."""
    with open(os.path.join(STANDIN_DIR, MARKER), encoding="utf-8") as f:
        return f.read()


def _dropped(entity, target, layer, next_config):
    """True when charm-build's own ignore/exclude rules would leave ``entity`` out."""
    return (IgnoreTactic.trigger(entity, target, layer, next_config)
            or ExcludeTactic.trigger(entity, target, layer, next_config))


def _basic_options(config):
    """The ``basic`` options set by any layer in ``config``'s chain, by name."""
    found = {}
    for level in getattr(config, "maps", [config]):
        options = (level.get("options") or {}).get("basic") or {}
        if isinstance(options, dict):
            found.update(options)
    return found


class NotDeployableMarker(Tactic):
    """Copy ``NOT-DEPLOYABLE`` into the built charm and warn at build time."""

    @classmethod
    def trigger(cls, entity, target, layer, next_config):
        return entity.relpath(layer.directory) == MARKER and _is_standin(layer)

    def __call__(self):
        self.target_file.dirname().makedirs_p()
        self.target_file.write_text(_notice(), encoding="utf-8")
        log.warning("WARNING: NOT DEPLOYABLE: built with the OFFLINE TEST STAND-IN for layer:basic "
                    "(%s): no wheelhouse, layer:basic's options and automatic flags missing; "
                    "the built charm says so in %s and README.md. To deploy, build online "
                    "with the real layer:basic.", STANDIN_DIR, MARKER)
        ignored = _basic_options(self._next_config)
        if ignored:
            log.warning("WARNING: NOT DEPLOYABLE: options for layer:basic ignored by the "
                        "offline stand-in: %s", ", ".join(f"{k}={ignored[k]!r}" for k in sorted(ignored)))

    def __str__(self):
        return f"Offline stand-in marker {self.entity}"


class StandInReadme(Tactic):
    """``README.md`` of the built charm: the stand-in's notice, then the charm's README."""

    @classmethod
    def trigger(cls, entity, target, layer, next_config):
        return (entity.relpath(layer.directory) == README
                and not _dropped(entity, target, layer, next_config))

    def combine(self, existing):
        # The highest layer's README is the charm's; the stand-in's own README
        # (which describes the stand-in to this repository's developers) never is.
        return self

    def __call__(self):
        parts = [_notice().rstrip("\n")]
        if not _is_standin(self.layer):
            parts.append(self.entity.text(encoding="utf-8").rstrip("\n"))
        self.target_file.dirname().makedirs_p()
        self.target_file.write_text("\n\n---\n\n".join(parts) + "\n", encoding="utf-8")

    def __str__(self):
        return f"Offline stand-in README {self.entity}"
