"""The model: the ontology, the shapes and the reference data, loaded and checked."""
