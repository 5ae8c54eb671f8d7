"""Running motcua in production: backups and restores, health and readiness, metrics, logs."""
