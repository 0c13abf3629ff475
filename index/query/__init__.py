"""Answering a question: retrieval, ranking, quotes, the engine, the answer."""
