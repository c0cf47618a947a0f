"""Learning: lessons, knowledge checks and progress."""
