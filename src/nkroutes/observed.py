"""The article's observed figures, as shipped CSV files, for plots and calibration.

The files live in the package (``src/nkroutes/data/observed/``, installed as package data) so
an installed package finds them; ``data/observed/`` at the top of the repository is a link to
that folder, not a copy. Each file starts with ``# source: ...`` comment lines naming where its
numbers come from; the loaders return that text in ``DataFrame.attrs["source"]``.

Example:
    >>> from nkroutes.observed import south_korea_arrivals
    >>> int(south_korea_arrivals()["arrivals"].sum())
    8661
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable

import pandas as pd

#: File names in the observed-data folder.
SOUTH_KOREA_ARRIVALS_FILE = "south_korea_arrivals.csv"
OTHER_TARGETS_FILE = "other_targets.csv"

_OTHER_TARGET_COLUMNS = (
    "name",
    "description",
    "value",
    "low",
    "high",
    "year",
    "unit",
    "model_quantity",
    "source",
)


def observed_dir() -> Traversable:
    """The folder holding the observed-data CSV files (inside the installed package)."""
    return resources.files("nkroutes").joinpath("data", "observed")


def _comment_lines(text: str) -> list[str]:
    """The leading ``#`` lines of a CSV file, without the ``#`` and with ``source:`` kept."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return lines


def read_observed(file_name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read one observed-data CSV file and check its columns.

    Args:
        file_name: File name inside :func:`observed_dir`.
        columns: Columns the file must have.

    Returns:
        The table; ``attrs["source"]`` holds the file's leading comment lines, joined.

    Raises:
        FileNotFoundError: If the file is not in the package.
        ValueError: If a column is missing or the file has no source line.
    """
    path = observed_dir().joinpath(file_name)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: observed-data file not found")
    text = path.read_text(encoding="utf-8")
    comments = _comment_lines(text)
    sources = [c.split(":", 1)[1].strip() for c in comments if c.lower().startswith("source:")]
    if not sources:
        raise ValueError(f"{path}: expected a leading '# source: ...' line")
    with path.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, comment="#")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; expected {columns}")
    frame.attrs["source"] = " ".join(sources)
    frame.attrs["file"] = str(path)
    return frame


def south_korea_arrivals() -> pd.DataFrame:
    """North Korean defectors arriving in South Korea per calendar year, 1990-2006.

    MPI (2008), Table 1, from the South Korean Ministry of Unification (total 8,661).

    Returns:
        Columns ``year`` (int) and ``arrivals`` (people per year, int); the source in
        ``attrs["source"]``.
    """
    frame = read_observed(SOUTH_KOREA_ARRIVALS_FILE, ("year", "arrivals"))
    return frame.astype({"year": "int64", "arrivals": "int64"})


def other_targets() -> pd.DataFrame:
    """The article's other observed figures a run can be checked against.

    Rows (``name``): ``broker_assisted_share_2004`` (about 80% of 2004 arrivals in South Korea
    had a broker), ``repatriated_by_china_2000`` (at least 6,000), ``in_china`` (30,000 to
    300,000 North Koreans in China, undated), ``stayed_two_years_share`` (83% of defectors in
    China stayed two years or more).

    Returns:
        Columns ``name, description, value, low, high, year, unit, model_quantity, source``:
        ``value`` is a point figure, ``low``/``high`` a range (``high`` empty: "at least
        ``low``"), all floats with NaN where the article gives none; ``year`` is a nullable
        integer; ``model_quantity`` names the model output to compare with.
    """
    frame = read_observed(OTHER_TARGETS_FILE, _OTHER_TARGET_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    for column in ("value", "low", "high"):
        frame[column] = frame[column].astype("float64")
    return frame


def other_target(name: str) -> pd.Series:
    """One row of :func:`other_targets` by its ``name``.

    Raises:
        KeyError: If there is no such target.
    """
    frame = other_targets()
    rows = frame[frame["name"] == name]
    if rows.empty:
        raise KeyError(f"no observed target {name!r}; known: {', '.join(frame['name'])}")
    return rows.iloc[0]
