-- "Run this code" submissions of the Judge0-compatible API (`serve --judge0`):
-- judged by the same queue, kept apart from exercise submissions by `kind`
-- (their `exercise` is empty). What they ask for beside the source is in
-- `runs`; their result, like any submission's, in `submissions.result`.
ALTER TABLE submissions ADD COLUMN kind TEXT NOT NULL DEFAULT 'exercise'
    CHECK (kind IN ('exercise', 'run'));

CREATE TABLE runs (
    submission_id BIGINT PRIMARY KEY REFERENCES submissions (id),
    token TEXT NOT NULL UNIQUE,
    stdin BLOB NOT NULL,
    expected_output BLOB,
    limits TEXT NOT NULL,
    request TEXT NOT NULL
);
