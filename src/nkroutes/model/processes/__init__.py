"""One module per model process, each reading only the scenario values and the migrants."""
