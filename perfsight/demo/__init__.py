"""The sample travel-CRM API that the demo, the tests and the benchmarks measure."""
