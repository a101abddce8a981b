"""How ``nkroutes app`` tells its server process which scenario to serve (environment names)."""

from __future__ import annotations

#: The scenario file.
SCENARIO_VAR = "NKROUTES_APP_SCENARIO"
#: ``--set`` values, as a JSON object of key path -> value.
OVERRIDES_VAR = "NKROUTES_APP_SET"
#: Replicates the page's ensemble button runs.
REPLICATES_VAR = "NKROUTES_APP_REPLICATES"
#: Worker processes for the ensemble (empty: every core).
WORKERS_VAR = "NKROUTES_APP_WORKERS"
