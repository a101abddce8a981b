"""Calibrating a scenario's free parameters to the article's data (``nkroutes calibrate``).

A layer above :mod:`nkroutes.analysis` (whose fit metrics and targets it uses) and below
:mod:`nkroutes.plots` (the figures are drawn by a function the command passes in). Every
model run goes through :mod:`nkroutes.ensemble.batch`.

- :mod:`~nkroutes.calibration.problem`: what is fitted and the distance;
- :mod:`~nkroutes.calibration.evaluation`: one parameter set's runs (the executors' task);
- :mod:`~nkroutes.calibration.smc`: the APMC ABC steps; :mod:`~.sampler` runs them;
- :mod:`~nkroutes.calibration.settings`: settings and the sampling's result;
- :mod:`~nkroutes.calibration.folder` and :mod:`~.journal`: the folder and resuming;
- :mod:`~nkroutes.calibration.outputs`, :mod:`~.report`, :mod:`~.calibrated_toml`: the files;
- :mod:`~nkroutes.calibration.calibrate`: all of it, as ``nkroutes calibrate`` does it.
"""
