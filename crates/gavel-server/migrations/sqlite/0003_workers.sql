-- Workers in other processes (`gavel worker`, on PostgreSQL) hold a lease on
-- the submission they judge: who, and until when. A lease that runs out puts
-- the submission back within reach of every worker.
ALTER TABLE submissions ADD COLUMN worker TEXT;
ALTER TABLE submissions ADD COLUMN lease_until BIGINT;

-- The workers that judge, for `gavel admin status`.
CREATE TABLE workers (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    in_flight BIGINT NOT NULL DEFAULT 0
);
