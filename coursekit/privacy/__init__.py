"""Personal data (PIPL, GDPR): a person's data as JSON, erasure, and retention of idle accounts."""
