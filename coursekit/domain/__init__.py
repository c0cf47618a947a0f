"""Pure domain logic: no Flask, no database, no rendering libraries (a test enforces it)."""
