"""Keeps the stored framework assignments in step with the passages: run after every ingest.

New passages are mapped from their stored vectors (nothing is embedded again
but the statement descriptions and section headings); a framework whose file
or mapping model changed is re-mapped for every passage. A readiness lead's
corrections (frameworks/corrections.py) are applied last, every time, so they
survive re-ingest and refits."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evidence_bot.evidence.frameworks.corrections import Correction, locate
from evidence_bot.evidence.frameworks.framework import Framework
from evidence_bot.evidence.frameworks.mapping import Assignment, Embed, Mapper
from evidence_bot.evidence.frameworks.mapping_model import MappingModel
from evidence_bot.evidence.frameworks.store import MappingStore
from evidence_bot.store.catalog import Catalog

if TYPE_CHECKING:  # chromadb loads only when vectors are needed
    from evidence_bot.store.vectors import VectorStore

BATCH = 2000


@dataclass
class MappingRefresh:
    mapped: int = 0  # passages the model mapped in this run
    corrected: int = 0  # passages whose assignment is a person's
    unplaced: list[str] = field(default_factory=list)  # corrections that name no passage now, one line each


def refresh_mapping(catalog: Catalog, store: MappingStore, vectors: "VectorStore", unit_vectors: "VectorStore",
                    embed: Embed, frameworks: dict[str, Framework], corrections: list[Correction] | None,
                    model: MappingModel) -> MappingRefresh:
    """Maps what is not mapped yet, then applies the corrections. corrections None: the file could not be read;
    the stored corrections are left as they are (a typo must not undo them all)."""
    result = MappingRefresh()
    services = {f.service for f in frameworks.values() if f.service}
    placed = place(catalog, frameworks, corrections, result.unplaced) if corrections is not None else None
    for framework in frameworks.values():
        fingerprint = f"{framework.fingerprint}:{model.version}"
        everything = store.fingerprint(framework.id) != fingerprint
        if placed is not None:  # corrections taken out of the file: the model maps those passages again
            store.release(framework.id, sorted(store.corrected(framework.id) - set(placed.get(framework.id, {}))))
        others = services - {framework.service} if framework.service else set()  # Mapper.applies_to, in SQL
        ids = catalog.all_passage_ids() if everything else store.unmapped(framework.id, others)
        if ids or everything:
            mapper = Mapper(framework, embed, model, services)
            store.replace(framework.id, fingerprint, map_passages(catalog, vectors, unit_vectors, mapper, ids),
                          everything)
            result.mapped += len(ids)
        if placed and placed.get(framework.id):
            store.correct(framework.id, list(placed[framework.id].values()))
            result.corrected += len(placed[framework.id])
    return result


def map_passages(catalog: Catalog, vectors: "VectorStore", unit_vectors: "VectorStore", mapper: Mapper,
                 ids: list[str]) -> list[Assignment]:
    assignments = []
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        found = catalog.passages(batch)
        stored = vectors.vectors(batch)
        for assignment in mapper.assign_all([(found[pid][0], found[pid][1], stored[pid]) for pid in batch
                                             if pid in found and pid in stored], unit_vectors):
            assignments.append(assignment)
    return assignments


def place(catalog: Catalog, frameworks: dict[str, Framework], corrections: list[Correction],
          unplaced: list[str]) -> dict[str, dict[str, Assignment]]:
    """framework -> passage id -> the corrected assignment. A correction naming an unknown framework, statement
    or category, or a passage no longer there, is reported in unplaced and changes nothing."""
    placed: dict[str, dict[str, Assignment]] = {}
    for c in corrections:
        where = f"correction for {c.document} ('{c.span[:40]}…', {c.framework})"
        framework = frameworks.get(c.framework)
        if framework is None:
            unplaced.append(f"{where}: no framework '{c.framework}'")
            continue
        known = {s.id for s in framework.statements}
        wrong = [s for s in c.statements if s not in known]
        if wrong or (c.category and c.category not in {k.id for k in framework.categories}):
            unplaced.append(f"{where}: unknown statement or category {', '.join(wrong) or c.category}")
            continue
        passage_id = locate(catalog, c)
        if passage_id is None:
            unplaced.append(f"{where}: the document no longer holds that passage once")
            continue
        placed.setdefault(c.framework, {})[passage_id] = Assignment(
            passage_id, c.framework, [(s, round(1.0 - 0.001 * i, 3)) for i, s in enumerate(c.statements)],
            c.category or "", 1.0)  # a person's choice: certain, in the order they gave; no category: the model's
    return placed
