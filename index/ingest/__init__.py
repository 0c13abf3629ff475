"""Turning files into an index: loaders, units, chunking, dedup, the builder."""
