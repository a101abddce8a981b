"""Analysis of results: comparisons between scenarios, calibration and fit to observed data."""
