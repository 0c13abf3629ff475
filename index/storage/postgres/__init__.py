"""PostgreSQL + pgvector store (see README "PostgreSQL + pgvector")."""
