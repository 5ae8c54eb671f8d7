"""A province-sized data generator: plans of realistic dossiers, applied through the services or
through an equivalent bulk path (see docs/benchmarks in bench/README.md)."""
