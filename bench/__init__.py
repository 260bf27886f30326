"""The benchmark and its data generator: ``python -m bench --help``."""
