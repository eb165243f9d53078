"""The write side's input: files to documents (loaders), metadata, chunks, uploads."""
