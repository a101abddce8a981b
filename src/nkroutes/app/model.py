"""The model the app steps: a :class:`~nkroutes.model.RouteModel` built with the levers.

Mesa's SolaraViz rebuilds the model with ``type(model)(**parameters)`` on reset, where the
parameters are the scenario (fixed) plus the page's seed and levers; this class takes them.
"""

from __future__ import annotations

import copy
from typing import Any

from nkroutes.app.levers import apply_levers
from nkroutes.model import RouteModel


class AppModel(RouteModel):
    """A route model for the app: a scenario, a seed, and lever settings.

    Args:
        scenario: A :class:`nkroutes.scenario.Scenario` or its resolved values (dict).
        seed: The run's seed.
        repatriation_probability: China's chance of repatriating an arrested migrant, 0-1
            (``None``: the scenario's).
        thailand_open: Whether the routes into Thailand are open (``None``: as in the
            scenario).
        broker_fee_factor: Broker fees, times the scenario's.
        settlement_money_kept: South Korea never cuts its settlement money (``None``: as in
            the scenario).
        border_stays_porous: The 1997-1999 porous border stays porous (``None``: as in the
            scenario).
        proactive_asylum: South Korea seeks out refugees (safer missions, shorter waits), on
            top of the scenario (``None``: as in the scenario).

    Raises:
        ValueError: A lever outside its range, or a switch the scenario cannot turn (see
            :func:`nkroutes.app.levers.apply_levers`).

    Attributes:
        base_values: The scenario's values before the levers (for ensembles of the settings).
        settings: The lever values given (``None`` ones left out).
    """

    def __init__(
        self,
        scenario: Any,
        seed: int = 0,
        repatriation_probability: float | None = None,
        thailand_open: bool | None = None,
        broker_fee_factor: float = 1.0,
        settlement_money_kept: bool | None = None,
        border_stays_porous: bool | None = None,
        proactive_asylum: bool | None = None,
    ) -> None:
        values = scenario.to_dict() if hasattr(scenario, "to_dict") else copy.deepcopy(scenario)
        given = {
            "repatriation_probability": repatriation_probability,
            "thailand_open": thailand_open,
            "broker_fee_factor": broker_fee_factor,
            "settlement_money_kept": settlement_money_kept,
            "border_stays_porous": border_stays_porous,
            "proactive_asylum": proactive_asylum,
        }
        self.base_values = values
        self.settings = {k: v for k, v in given.items() if v is not None}
        super().__init__(apply_levers(values, **self.settings), seed=int(seed))

    def levered_values(self) -> dict[str, Any]:
        """The scenario values this model was built from (levers applied, before any event)."""
        return apply_levers(self.base_values, **self.settings)
