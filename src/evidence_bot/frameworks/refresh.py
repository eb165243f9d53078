"""Keeps the stored framework assignments in step with the passages: run after every ingest.

New passages are mapped from their stored vectors (nothing is embedded again
but the statement descriptions); a framework whose file changed is re-mapped
for every passage."""

from evidence_bot.catalog import Catalog
from evidence_bot.frameworks.framework import Framework
from evidence_bot.frameworks.mapping import VERSION, Mapper
from evidence_bot.frameworks.store import MappingStore

BATCH = 2000


def refresh_mapping(catalog: Catalog, store: MappingStore, vectors, embed, frameworks: dict[str, Framework]) -> int:
    """Maps what is not mapped yet; returns how many passages were mapped."""
    mapped = 0
    services = {f.service for f in frameworks.values() if f.service}
    for framework in frameworks.values():
        fingerprint = f"{framework.fingerprint}:{VERSION}"
        everything = store.fingerprint(framework.id) != fingerprint
        ids = catalog.all_passage_ids() if everything else store.unmapped(framework.id)
        if not ids and not everything:
            continue
        mapper = Mapper(framework, embed, services)
        assignments = []
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            found = catalog.passages(batch)
            stored = vectors.vectors(batch)
            for pid in batch:
                if pid in found and pid in stored:
                    passage, meta = found[pid]
                    assignment = mapper.assign(passage, meta, stored[pid])
                    if assignment is not None:
                        assignments.append(assignment)
        store.replace(framework.id, fingerprint, assignments, everything)
        mapped += len(ids)
    return mapped
