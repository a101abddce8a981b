"""The SolaraViz page: levers, step / play / reset, live charts, the map, ensemble bands.

:func:`make_page` builds the page for a scenario. Mesa's SolaraViz gives the sidebar
(controls, the levers as model parameters, the step counter); the main area shows arrivals
per year against Table 1, North Koreans in China with repatriations and deaths, the
route-flow map (redrawn once a simulated year, it takes about a second), and a button that runs
an ensemble for the current settings on the local process pool and adds its 50% and 90% bands
to the arrivals chart.
"""

from __future__ import annotations

from typing import Any

import solara
import solara.lab
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from nkroutes.app.charts import arrivals_chart, map_chart, outcomes_chart
from nkroutes.app.levers import LEVERS, lever_defaults, model_params
from nkroutes.app.model import AppModel
from nkroutes.ensemble.results import Results
from nkroutes.ensemble.runner import run_ensemble
from nkroutes.scenario import Scenario

#: Replicates the ensemble button runs.
ENSEMBLE_REPLICATES = 20
#: Steps between redraws of the route map (12 monthly steps: once a simulated year).
MAP_EVERY_STEPS = 12
#: Resolution of the charts on the page, dots per inch (figures are 10 in wide).
PAGE_DPI = 80
#: CSS classes of the charts' containers (for the browser test and custom styles).
ARRIVALS_CLASS = "nkroutes-arrivals"
OUTCOMES_CLASS = "nkroutes-outcomes"
MAP_CLASS = "nkroutes-map"
ENSEMBLE_CLASS = "nkroutes-ensemble"


def settings_key(model: AppModel) -> tuple:
    """What an ensemble depends on: the seed and the lever settings."""
    return (model.seed, tuple(sorted(model.settings.items())))


def settings_lines(model: AppModel) -> list[str]:
    """The seed, step and lever settings of the model on the page, a line each.

    (Plain text: Solara's Markdown would load KaTeX, which ``solara-assets`` does not ship.)
    """
    chosen = {**lever_defaults(model.base_values), **model.settings}
    lines = [f"Seed {model.seed}, step {model.step_index} of {model.clock.n_steps}"]
    for lever in LEVERS:
        value = chosen[lever.name]
        if value is None:
            shown = "changes during the run, as in the scenario"
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        else:
            shown = f"{value:g}"
        lines.append(f"{lever.label}: {shown}")
    return lines


def _show(figure: Figure, css_class: str) -> None:
    with solara.Div(classes=[css_class]):
        solara.FigureMatplotlib(figure, format="png", dpi=PAGE_DPI)


def make_page(
    scenario: Scenario,
    replicates: int = ENSEMBLE_REPLICATES,
    workers: int | None = None,
) -> Any:
    """The page (a Solara component) for a scenario.

    Args:
        scenario: The scenario the page starts from (levers at its own values).
        replicates: Replicates the ensemble button runs.
        workers: Worker processes for the ensemble (``None``: every core).

    Returns:
        A Solara component to serve as the app's ``Page``.
    """
    params: dict[str, Any] = {
        "scenario": scenario,
        "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1, "label": "Seed"},
        **model_params(scenario.to_dict()),
    }

    @solara.lab.task(prefer_threaded=True)
    def ensemble_task(key: tuple, values: dict[str, Any], seed: int) -> tuple[tuple, Results]:
        results = run_ensemble(
            values, replicates=replicates, seed=seed, executor="local", workers=workers
        )
        return key, results

    def current_ensemble(model: AppModel) -> Results | None:
        done = ensemble_task.value if ensemble_task.finished else None
        if done is None or done[0] != settings_key(model):
            return None
        return done[1]

    @solara.component
    def Arrivals(model: AppModel) -> None:
        update_counter.get()
        ensemble = current_ensemble(model)
        _show(arrivals_chart(model, ensemble), ARRIVALS_CLASS)

    @solara.component
    def Outcomes(model: AppModel) -> None:
        update_counter.get()
        _show(outcomes_chart(model), OUTCOMES_CLASS)

    @solara.component
    def RouteMap(model: AppModel) -> None:
        update_counter.get()
        year_drawn = model.step_index // MAP_EVERY_STEPS
        figure = solara.use_memo(
            lambda: map_chart(model), dependencies=[id(model), year_drawn, model.running]
        )
        _show(figure, MAP_CLASS)

    @solara.component
    def Ensemble(model: AppModel) -> None:
        update_counter.get()

        def start() -> None:
            ensemble_task(settings_key(model), model.levered_values(), model.seed)

        with solara.Column(classes=[ENSEMBLE_CLASS]):
            for line in settings_lines(model):
                solara.Text(line)
            solara.Button(
                f"Run {replicates} replicates of these settings",
                on_click=start,
                disabled=ensemble_task.pending,
                color="primary",
            )
            if ensemble_task.pending:
                solara.ProgressLinear(True)
                solara.Text(f"Running {replicates} replicates on the local pool...")
            elif current_ensemble(model) is not None:
                solara.Text("Bands: 50% and 90% of the replicates (arrivals chart).")
            elif ensemble_task.error:
                solara.Error(f"The ensemble failed: {ensemble_task.exception}")

    @solara.component
    def Page() -> None:
        model = solara.use_memo(lambda: AppModel(scenario), dependencies=[])
        SolaraViz(
            model,
            components=[(Arrivals, 0), (Ensemble, 0), (Outcomes, 0), (RouteMap, 0)],
            model_params=params,
            name=f"nkroutes: {scenario.get('meta.name')}",
        )

    return Page
