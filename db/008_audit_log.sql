-- The audit log (issue 13 section 5): who applied, destroyed, reset or submitted which student's assignment copy, and
-- when. Times are Unix milliseconds. Rows name users, labs, courses and assignments by id WITHOUT foreign keys: the log
-- outlives what it names (a deleted lab or account must not take its history with it, and an ON DELETE action would be
-- an UPDATE or DELETE here, which the triggers below refuse).
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at_ms         INTEGER NOT NULL,
    actor_id      INTEGER NOT NULL,
    -- idle-destroy: the web destroyed the lab for being idle (Quotas:<Role>:IdleAppliedMinutes); the actor is its owner.
    action        TEXT    NOT NULL CHECK (action IN ('apply', 'destroy', 'reset', 'submit', 'destroy-all', 'idle-destroy')),
    lab_id        INTEGER,
    course_id     INTEGER,
    assignment_id INTEGER,
    -- Whose lab it is (the student), which may differ from the actor (an instructor's reset).
    subject_id    INTEGER,
    detail        TEXT    NOT NULL DEFAULT '' CHECK (length(detail) <= 500)
);

CREATE INDEX audit_log_by_course ON audit_log (course_id, id);

-- Append-only: a row once written is never changed or removed, not even by the web itself.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: its rows are never changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: its rows are never deleted');
END;
