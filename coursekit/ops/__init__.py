"""Running in production: health checks, Prometheus metrics, JSON logs with request ids."""
