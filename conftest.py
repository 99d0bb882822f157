"""Repository-wide test configuration.

- One hypothesis profile for the whole suite (no per-test deadline: CI machines are shared
  and a slow first call is not a failure), registered here instead of in every test. It is
  derandomized: every run of ``pytest`` draws the same examples, so a result does not depend
  on the day. ``HYPOTHESIS_PROFILE=explore pytest`` draws new examples on every run (to
  look for counterexamples; add any it finds with ``@example``).
- Every Python code block in the docs and the README runs as a test (Sybil). Blocks in one
  Markdown file share a namespace and run in order, like a notebook, with the current
  directory set to a fresh temporary folder (examples may write files).

This file must import without the dev extras (a user may run ``pytest`` on a plain
install): hypothesis and Sybil are optional here.
"""

from __future__ import annotations

import os

import pytest

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover - hypothesis comes with the dev extra
    pass
else:
    settings.register_profile(
        "pipeline_games",
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        print_blob=True,
        derandomize=True,
        database=None,
    )
    settings.register_profile("explore", settings.get_profile("pipeline_games"), derandomize=False)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "pipeline_games"))

try:
    import matplotlib
except ImportError:  # pragma: no cover - matplotlib is a core dependency
    pass
else:
    matplotlib.use("Agg")


@pytest.fixture
def _in_tmp_path(tmp_path):
    previous = os.getcwd()
    os.chdir(tmp_path)
    yield
    os.chdir(previous)


try:
    from sybil import Sybil
    from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser
except ImportError:  # pragma: no cover - Sybil comes with the dev extra
    pass
else:
    pytest_collect_file = Sybil(
        parsers=[PythonCodeBlockParser(), SkipParser()],
        patterns=["*.md"],
        excludes=[
            "CHANGELOG.md",
            "CONTRIBUTING.md",
            "site/*",
            ".venv/*",
            "venv/*",
            "cases/market/*",
        ],
        fixtures=["_in_tmp_path"],
    ).pytest()
