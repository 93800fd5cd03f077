"""The automatic reading layer: documents nobody curated, read with a trained NLP pipeline.

One way through: :mod:`.nlp` parses each sentence (spaCy), :mod:`allianceskg.reading.mentions`
links names to the reference data, :mod:`.relations` reads facts off the dependency
parse, :mod:`.modality` decides on the whole clause whether a fact is reported,
assessed or only speculated (or must not be stated at all), :mod:`.entities` mints
and deduplicates the nodes the reference data lacks, and :mod:`.draft` writes the
proposals as a claims file an analyst reviews.
"""
