"""SPARQL evaluation for the service, independent of the web framework:
content negotiation, result writers, the guarded query engine and the worker pool."""
