"""Where the index lives: the catalog, the vector store, the embedding model, locks and recovery."""
