"""The project's own packages, read from the one list that already names
them: the import contract's ``root_packages`` in ``pyproject.toml``. Tests
that scan the code (rule ids, download names, signals) walk these."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = tuple(
    sorted(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"][
            "root_packages"
        ]
    )
)
