"""Pages for people, read through the store: the query UI, entity, document and
ontology pages, search, explanations and the review desk."""
