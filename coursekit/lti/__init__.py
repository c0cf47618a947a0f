"""LTI 1.3 Advantage, the tool side: launches, deep linking, grades, roster, registration."""
