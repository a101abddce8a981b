"""The route model: Mesa agents for places, columnar migrants and brokers, a module per process."""

from nkroutes.model.migrants import MigrantTable, State
from nkroutes.model.model import RouteModel, simulate
from nkroutes.model.outputs import FLOW_NAMES, STOCK_NAMES
from nkroutes.model.result import RunResult

__all__ = [
    "FLOW_NAMES",
    "STOCK_NAMES",
    "MigrantTable",
    "RouteModel",
    "RunResult",
    "State",
    "simulate",
]
