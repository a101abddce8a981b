"""The commands of ``nkroutes``, one module each; ``nkroutes.cli`` lists them in its table."""
