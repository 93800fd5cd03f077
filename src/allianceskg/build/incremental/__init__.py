"""Adding documents to a built corpus without building it again (``allianceskg ingest``):
the state a build leaves (:mod:`.state`), the drop rounds replayed with the new
document (:mod:`.rounds`), the release written by splicing (:mod:`.splice`), and the
addition itself, stage by stage (:mod:`.add`)."""
