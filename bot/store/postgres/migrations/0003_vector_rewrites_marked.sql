-- A vector rewritten (a claim re-embedded) is marked with the transaction that rewrote it, as
-- the column's default marks a new one. Each process reads the vectors written since it last
-- looked along written_by (postgres/matching.py), so whatever writes a vector, and however,
-- the others see it: the one upsert both stores share (sql/statements.py: SAVE_VECTOR) needs
-- no PostgreSQL-only column.
CREATE FUNCTION claimdesk_vector_rewritten() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.written_by := pg_current_xact_id();
    RETURN NEW;
END
$$;
CREATE TRIGGER claim_vectors_rewritten BEFORE UPDATE ON claim_vectors
    FOR EACH ROW EXECUTE FUNCTION claimdesk_vector_rewritten();
