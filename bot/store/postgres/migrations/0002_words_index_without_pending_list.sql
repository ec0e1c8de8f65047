-- The words index takes each new claim's entries at once, instead of keeping them in GIN's
-- pending list until a vacuum merges it. Every search reads that whole list (up to
-- gin_pending_list_limit, 4 MB by default) on top of the index: on a desk that keeps adding
-- claims it was a search's slowest part. Measured at 1M claims after a benchmark run had
-- added a few hundred claims: 54 pending pages, read by every search. An add writes a few
-- dozen index entries instead, well within its budget.
ALTER INDEX claims_words SET (fastupdate = off);
SELECT gin_clean_pending_list('claims_words'::regclass);
