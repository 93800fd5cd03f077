"""The build: a corpus and its claims to a validated, reasoned release."""
