"""ceasewatch: ceasefire monitoring and the graduated response to its breaches."""

__version__ = "0.1.0"
