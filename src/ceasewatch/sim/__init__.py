"""Monte Carlo simulation of response policies: scenarios, runs, outcomes, reports.

The pure parts (scenario models, generators, scoring, summaries, sweeps) do no I/O and
never read the wall clock. The adapters: `catalogue` reads scenario files, `results`
writes parquet, `report` renders HTML and plots, `runner` starts processes or reaches
clusters.
"""
