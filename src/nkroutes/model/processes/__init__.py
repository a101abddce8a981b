"""One module per model process, numbered and named as in ``docs/ODD.md`` section 7.

In the order of the model's step: 7.3 :mod:`.brokers`, 7.4 :mod:`.chain`, 7.5
:mod:`.punishment`, 7.6 :mod:`.departures`, 7.7 :mod:`.hiding`, 7.8 :mod:`.transit`, 7.9
:mod:`.travel`; used by several of them: 7.10 :mod:`.journeys` (choosing and starting a
route) and 7.11 :mod:`.enforcement` (every arrest, repatriation and detention). Each reads
only the scenario's values (``model.params``) and the migrants.
"""
