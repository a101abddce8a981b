"""Redraw the README's figures (arrivals.png, effects.png) from a comparison directory.

Usage, from the repository root::

    nkroutes compare scenarios/baseline.toml scenarios/china-non-refoulement.toml -n 20 --out D
    python docs/figures/make_readme_figures.py D

The figures are the same functions ``nkroutes plot`` uses, saved at 110 dpi with a 256-colour
palette (Pillow, installed with matplotlib) so each file stays well under 300 KB.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image

from nkroutes.plots import arrivals_over_time, paired_effects
from nkroutes.plots.directory import load_comparison
from nkroutes.plots.style import plot_style

HERE = Path(__file__).resolve().parent
DPI = 110
COLOURS = 256


def main(comparison_dir: Path, out_dir: Path = HERE) -> list[Path]:
    """Write arrivals.png (the baseline against Table 1) and effects.png (paired effects).

    Args:
        comparison_dir: Output directory of ``nkroutes compare`` with a ``baseline`` scenario.
        out_dir: Where to write the two PNG files.

    Returns:
        The files written.
    """
    table, scenarios = load_comparison(comparison_dir)
    baseline = next(iter(scenarios))
    figures = {
        "arrivals.png": arrivals_over_time(scenarios[baseline]),
        "effects.png": paired_effects(table, scenarios, baseline=baseline),
    }
    written = []
    for name, fig in figures.items():
        buffer = io.BytesIO()
        with plot_style():
            fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        image = Image.open(buffer).convert("RGB")
        small = image.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=0)
        small.save(out_dir / name, optimize=True)
        written.append(out_dir / name)
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1])):
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
