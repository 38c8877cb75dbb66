"""Helpers imported by the notebooks (the notebooks run with notebooks/ as their working directory)."""
