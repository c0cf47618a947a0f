"""Accounts: registration, login, roles and passwords."""
