"""The index on disk: the directory, its manifest, atomic swaps, the vector store."""
