"""Load runs: Locust in a subprocess (never imported here: it monkey-patches the process with
gevent), exact per-request figures, verdicts against thresholds."""
