-- Users, labs and their revisions. Times are Unix milliseconds (UTC).
-- Lab names are unique per owner, so many users' labs coexist; a lab's revisions form a tree
-- (parent_number) so that undo/redo never deletes history: undo moves to the parent, redo to the newest child.
CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL
);

-- The single local user until sign-in exists.
INSERT INTO users (id, name, created_ms) VALUES (1, 'local', CAST(strftime('%s', 'now') AS INTEGER) * 1000);

CREATE TABLE labs (
    id               INTEGER PRIMARY KEY,
    owner_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name             TEXT    NOT NULL,
    created_ms       INTEGER NOT NULL,
    updated_ms       INTEGER NOT NULL,
    -- The revision shown in the editor; moves with save, undo and redo.
    current_revision INTEGER,
    -- The revision the agent last applied; it stays when the editor moves on.
    applied_revision INTEGER,
    applied_ms       INTEGER,
    UNIQUE (owner_id, name)
);

CREATE TABLE lab_revisions (
    lab_id        INTEGER NOT NULL REFERENCES labs (id) ON DELETE CASCADE,
    number        INTEGER NOT NULL,
    parent_number INTEGER,
    yaml          TEXT    NOT NULL,
    note          TEXT    NOT NULL DEFAULT '',
    created_ms    INTEGER NOT NULL,
    PRIMARY KEY (lab_id, number)
);

CREATE INDEX lab_revisions_by_parent ON lab_revisions (lab_id, parent_number);
