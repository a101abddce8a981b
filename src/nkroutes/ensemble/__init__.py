"""Ensembles of replicates: seeds, executors, resumable writers, and their result tables."""
