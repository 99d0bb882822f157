"""Print pip constraints that pin every declared dependency to its floor (``>=X`` -> ``==X``).

CI installs the project twice: once with the newest versions the floors allow, once with
these constraints, so the floors in ``pyproject.toml`` are versions that really work.

Usage: ``python .ci/min_constraints.py > constraints.txt``
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())[
    "project"
]
requirements = list(project["dependencies"])
for name, extra in project["optional-dependencies"].items():
    if name in ("dev", "docs"):  # tools, not runtime floors
        continue
    requirements += extra
pins = {}
for requirement in requirements:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*>=\s*([0-9][^,;\s]*)", requirement)
    if match and not match.group(1).lower().startswith("pipeline"):
        pins[match.group(1).lower()] = match.group(3)
sys.stdout.write("".join(f"{name}=={version}\n" for name, version in sorted(pins.items())))
