"""RDF in and out: reading files, the formats, the canonical writer."""
