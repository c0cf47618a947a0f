"""xAPI: learning events as statements to a learning record store, through the outbox."""
