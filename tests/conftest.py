"""Shared fixtures built on :mod:`scenario_builder`: scenario data, files in tmp_path, the CLI."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from nkroutes.cli import main
from nkroutes.scenario.toml_write import dumps
from scenario_builder import small_dict


@pytest.fixture
def small() -> dict[str, Any]:
    """A fresh, mutable copy of the small test scenario's data (:func:`small_dict`)."""
    return small_dict()


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write(data, name="s.toml") -> path: write data (dict or TOML text) to tmp_path."""

    def _write(data: dict[str, Any] | str, name: str = "s.toml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data if isinstance(data, str) else dumps(data), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """cli(*args) -> click Result of running ``nkroutes args``.

    ``sys.argv`` is set as the shell would set it, so commands that record their own
    command line (the manifest) see ``nkroutes args`` and not pytest's arguments.
    """
    runner = CliRunner()

    def _invoke(*args: Any) -> Result:
        argv = [str(a) for a in args]
        monkeypatch.setattr(sys, "argv", ["nkroutes", *argv])
        return runner.invoke(main, argv, catch_exceptions=False)

    return _invoke
