"""``nkroutes app``: a Mesa SolaraViz page to explore a scenario in the browser.

The top layer beside :mod:`nkroutes.commands` (it may import every other layer; none imports
it). Needs the ``app`` extra: ``pip install -e ".[app]"``.
"""
