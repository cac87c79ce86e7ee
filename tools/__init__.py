"""What serves development only: the synthetic register, the benchmark and the load test.

The product imports nothing from here. The package is a Django app only so that its management
commands (`generate_synthetic`, `benchmark`) are found; it has no models, URLs or templates.
"""
