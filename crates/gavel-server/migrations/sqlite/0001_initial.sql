-- gavel serve's state. Portable SQL: the same statements run on PostgreSQL
-- except for `INTEGER PRIMARY KEY` (an identity column there) and `BLOB`
-- (`BYTEA`). Times are milliseconds since the Unix epoch.

CREATE TABLE candidates (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    -- sha256 of the bearer token, hex: the token itself is never stored.
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    candidate_id BIGINT NOT NULL REFERENCES candidates (id),
    exercise TEXT NOT NULL,
    source BLOB NOT NULL,
    source_sha256 TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    -- queued → running → done; a server that stops puts running ones back.
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done')),
    attempts INTEGER NOT NULL DEFAULT 0,
    started_at BIGINT,
    finished_at BIGINT,
    verdict TEXT,
    points DOUBLE PRECISION,
    max_points INTEGER,
    -- The result as candidates see it (docs/json.md), once done.
    result TEXT
);

CREATE INDEX submissions_queue ON submissions (status, id);
CREATE INDEX submissions_by_candidate ON submissions (candidate_id, exercise, submitted_at);

-- Each test's result as it finished, for the live view; replaced when a
-- submission is judged again after a stop.
CREATE TABLE submission_tests (
    submission_id BIGINT NOT NULL REFERENCES submissions (id),
    position INTEGER NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (submission_id, position)
);
