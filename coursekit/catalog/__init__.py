"""The loaded course in a running app, and the content versions attempts were taken on."""
