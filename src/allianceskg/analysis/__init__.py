"""Questions asked of a release: stored queries, explanations, links to other datasets."""
