"""Trove classifiers as people browse them: grouped under their top level ("License", ...)."""

from trove_classifiers import deprecated_classifiers, sorted_classifiers


def grouped(names):
    """[("License", [("OSI Approved :: MIT License", full name), ...]), ...], groups sorted."""
    groups = {}
    for name in names:
        top, _, rest = name.partition(" :: ")
        groups.setdefault(top, []).append((rest or top, name))
    return sorted(groups.items())


def all_current():
    """Every classifier an upload may use today (trove-classifiers, deprecated ones left out)."""
    return [name for name in sorted_classifiers if name not in deprecated_classifiers]
