"""Shared fixtures built on :mod:`scenario_builder`: scenario data, files in tmp_path, the CLI."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from nkroutes.cli import main
from nkroutes.ensemble import replicate_seed
from nkroutes.ensemble import tasks as tasks_module
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


@pytest.fixture
def fail_replicate(monkeypatch: pytest.MonkeyPatch) -> Callable[[int, int], Callable[[], None]]:
    """fail_replicate(seed, k) -> restore: replicate k of seed ``seed`` raises (a run stops).

    Its model run raises ``FloatingPointError("boom")`` until ``restore()`` (or the test's
    end) puts the real one back.
    """
    real = tasks_module.simulate

    def fail(seed: int, replicate: int) -> Callable[[], None]:
        bad_seed = replicate_seed(seed, replicate)

        def flaky(scenario: Any, seed: int, trace: bool = False) -> Any:
            if seed == bad_seed:
                raise FloatingPointError("boom")
            return real(scenario, seed=seed, trace=trace)

        monkeypatch.setattr(tasks_module, "simulate", flaky)
        return lambda: monkeypatch.setattr(tasks_module, "simulate", real)

    return fail
