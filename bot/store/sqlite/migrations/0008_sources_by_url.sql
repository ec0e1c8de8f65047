-- Sources by link, version 8: an import asks, for thousands of links at a time, which are
-- already a source in the workspace (importing the same feed twice adds nothing).
CREATE INDEX sources_by_url ON sources(url) WHERE url IS NOT NULL;
