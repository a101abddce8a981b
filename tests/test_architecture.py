"""The layout rules of docs/architecture.md, checked on the source itself.

1. Layers: a module may import from its own layer and lower ones, never from a higher one.
   Low to high: base (``nkroutes.text``, ``nkroutes.observed``, ``nkroutes.scenario``, and
   the package data) < ``model`` < ``ensemble`` < ``analysis`` < ``calibration`` < ``plots``
   < ``commands`` (and ``app``, the browser app) < ``cli``.
   ``nkroutes/__init__.py`` and ``nkroutes/__main__.py`` are exempt. Every import counts, also one
   inside a function or under ``TYPE_CHECKING``: a deferred import is still a dependency.
2. No module in src/ is over :data:`MAX_LINES` lines.
3. No repeated block of 10 lines or more in src/: pylint's ``duplicate-code`` check with the
   settings in pyproject.toml's ``[tool.pylint]`` (the same ones CI runs).

:data:`KNOWN_VIOLATIONS` listed the violations the layout had when these rules were written
(issue 16 fixed them all); an entry that is no longer a violation fails the test, so the list can
only shrink. Do not add to it: fix the code instead.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = SRC / "nkroutes"
MAX_LINES = 500

#: Rank of each top-level part of the package: higher may import lower, never the reverse.
LAYERS: dict[str, int] = {
    "text": 0,
    "observed": 0,
    "scenario": 0,
    "data": 0,
    "model": 1,
    "ensemble": 2,
    "analysis": 3,
    "calibration": 4,
    "sensitivity": 4,
    "plots": 5,
    "commands": 6,
    "app": 6,
    "cli": 7,
}

EXEMPT = {"nkroutes", "nkroutes.__main__"}

#: Violations still allowed; each must still hold, so that the list only shrinks. Keys:
#: "importer -> imported" for layers, "lines: module" for long modules, "duplicate: " and
#: the modules sharing a repeated block. Empty since issue 16.
KNOWN_VIOLATIONS: set[str] = set()


def module_name(path: Path) -> str:
    """The dotted module name of a file under src/."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> str:
    """The layer (top-level part) a module ``nkroutes.<part>...`` belongs to."""
    return module.split(".")[1]


def imported(module: str, path: Path) -> set[str]:
    """The nkroutes modules (or packages) ``module`` imports, anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if name == "nkroutes":  # from nkroutes import plots, __version__
                found.update(f"nkroutes.{a.name}" for a in node.names if a.name in LAYERS)
            else:
                found.add(name)
    return {name for name in found if name.startswith("nkroutes.")}


def layer_violations() -> set[str]:
    """Every import from a higher layer, as "importer -> imported"."""
    found: set[str] = set()
    for module, path in modules().items():
        if module in EXEMPT:
            continue
        own = LAYERS[layer_of(module)]
        for name in imported(module, path):
            if LAYERS[layer_of(name)] > own:
                found.add(f"{module} -> {name}")
    return found


def long_modules() -> set[str]:
    """Every module over MAX_LINES lines, as "lines: module"."""
    return {
        f"lines: {module}"
        for module, path in modules().items()
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    }


def test_every_module_has_a_layer():
    unknown = sorted(m for m in modules() if m not in EXEMPT and layer_of(m) not in LAYERS)
    assert not unknown, (
        f"modules in no layer: {unknown}; add their top-level part to LAYERS in "
        "tests/test_architecture.py and to the layers in docs/architecture.md"
    )


def test_the_import_walk_sees_relative_and_deferred_imports(tmp_path):
    cases = {
        "from . import frozen": "nkroutes.scenario",
        "from ..model import simulate": "nkroutes.model",
        "def f():\n    import nkroutes.plots.style": "nkroutes.plots.style",
        "from nkroutes import cli": "nkroutes.cli",
        "import numpy": None,
    }
    path = tmp_path / "probe.py"
    for code, expected in cases.items():
        path.write_text(code, encoding="utf-8")
        assert imported("nkroutes.scenario.probe", path) == ({expected} if expected else set())


def _check(found: set[str], prefix: str) -> None:
    """Fail on a violation not in KNOWN_VIOLATIONS, and on an entry there no longer found."""
    prefixes = ("lines: ", "duplicate: ")
    known = {
        v
        for v in KNOWN_VIOLATIONS
        if (v.startswith(prefix) if prefix else not v.startswith(prefixes))
    }
    new = sorted(found - known)
    fixed = sorted(known - found)
    assert not new, f"new violations of docs/architecture.md's rules: {new}"
    assert not fixed, f"fixed: strike them off KNOWN_VIOLATIONS in {Path(__file__).name}: {fixed}"


def test_no_module_imports_from_a_higher_layer():
    _check(layer_violations(), "")


def test_no_module_is_over_500_lines():
    _check(long_modules(), "lines: ")


def pylint_settings() -> dict[str, object]:
    """The ``[tool.pylint]`` settings in pyproject.toml."""
    import tomllib

    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["tool"]["pylint"]


def test_pylint_settings_are_the_ones_the_issue_asks_for():
    settings = pylint_settings()
    similarities = settings["similarities"]
    assert similarities["min-similarity-lines"] == 10
    assert similarities["ignore-imports"] is True
    assert similarities["ignore-signatures"] is True


@pytest.mark.slow  # pylint reads all of src/: about 15 s of CPU
def test_no_repeated_block_of_ten_lines_in_src():
    pytest.importorskip("pylint")
    # --rcfile: the settings in pyproject.toml (as CI runs it); duplicate-code only
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pylint",
            f"--rcfile={ROOT / 'pyproject.toml'}",
            "--disable=all",
            "--enable=duplicate-code",
            "--score=no",
            str(PACKAGE),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode in (0, 8), result.stdout + result.stderr  # 8: refactor messages
    blocks = re.findall(r"Similar lines in \d+ files\n((?:==.*\n)+)", result.stdout)
    found = {
        "duplicate: " + " ".join(sorted(re.findall(r"^==([\w.]+):", block, re.M)))
        for block in blocks
    }
    _check(found, "duplicate: ")
