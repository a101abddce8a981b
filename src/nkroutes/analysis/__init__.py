"""Analysis of results: comparisons between scenarios, fit to observed data, year bands.

Calibration, which uses the fit and the targets here, is its own package above this one
(:mod:`nkroutes.calibration`).
"""
