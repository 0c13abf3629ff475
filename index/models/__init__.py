"""The models both sides share: embeddings, BM25 analysis, the learned rankers."""
