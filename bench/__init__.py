"""motcua's benchmark harness (`make bench`): see bench/README.md. Benchmarks are not tests."""
