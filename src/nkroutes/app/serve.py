"""The module ``solara run`` serves for ``nkroutes app``: the page of one scenario.

``nkroutes app`` starts ``solara run nkroutes.app.serve`` in a child process and passes the
scenario through that process's environment (Solara imports this module by name and looks for
``Page``); the names are in :mod:`nkroutes.app.environment`.
"""

from __future__ import annotations

import json
import os
from typing import Any

from nkroutes.app.environment import OVERRIDES_VAR, REPLICATES_VAR, SCENARIO_VAR, WORKERS_VAR
from nkroutes.app.page import ENSEMBLE_REPLICATES, make_page
from nkroutes.scenario import load_scenario


def page_from_environment(environ: dict[str, str] | os._Environ) -> Any:
    """The page for the scenario named in ``environ`` (see the module's docstring)."""
    overrides = json.loads(environ.get(OVERRIDES_VAR) or "{}")
    scenario = load_scenario(environ[SCENARIO_VAR], overrides)
    workers = environ.get(WORKERS_VAR)
    return make_page(
        scenario,
        replicates=int(environ.get(REPLICATES_VAR) or ENSEMBLE_REPLICATES),
        workers=int(workers) if workers else None,
    )


Page = page_from_environment(os.environ)
