"""Use cases: what the command line, the API and the web call."""
