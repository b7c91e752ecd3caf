-- "Run this code" submissions of the Judge0-compatible API: the same as
-- migrations/sqlite/0004_runs.sql, in PostgreSQL's types.
ALTER TABLE submissions ADD COLUMN kind TEXT NOT NULL DEFAULT 'exercise'
    CHECK (kind IN ('exercise', 'run'));

CREATE TABLE runs (
    submission_id BIGINT PRIMARY KEY REFERENCES submissions (id),
    token TEXT NOT NULL UNIQUE,
    stdin BYTEA NOT NULL,
    expected_output BYTEA,
    limits TEXT NOT NULL,
    request TEXT NOT NULL
);
