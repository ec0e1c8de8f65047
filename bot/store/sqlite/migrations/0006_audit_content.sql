-- Audit of what a claim says, version 6 (see bot/core/audit.py).
--
-- Each history entry records the digest of the claim's content after it (text, claimant,
-- date, tags, author, and every source), inside the entry's hash, so that ``claimdesk audit
-- verify`` names an edit of a claim or a source made outside the bot. Entries written before
-- this version have none: their claims are bound from their next change.
ALTER TABLE history ADD COLUMN content TEXT;
