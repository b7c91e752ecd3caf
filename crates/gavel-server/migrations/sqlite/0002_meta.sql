-- Facts about the server itself, such as the catalog it serves (so that
-- `gavel admin report` uses the same one).
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
