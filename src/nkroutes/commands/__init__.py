"""Bodies of the ensemble commands (``run``, ``compare``); ``nkroutes.cli`` registers them."""
