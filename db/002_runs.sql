-- Experiment runs: a lab revision applied, connectivity checked, optionally captured, and everything that happened,
-- written as it happened (the web commits each small batch before it shows it). Times are Unix milliseconds (UTC),
-- frames keep microseconds (pcap's resolution).
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    lab_id      INTEGER NOT NULL REFERENCES labs (id) ON DELETE CASCADE,
    -- The revision's number and its YAML: the YAML travels with the run, so an exported run replays and compares in
    -- another database where that revision does not exist.
    revision    INTEGER NOT NULL,
    yaml        TEXT    NOT NULL,
    -- The lab's name in the kernel (its YAML name) at the time of the run.
    kernel_lab  TEXT    NOT NULL,
    title       TEXT    NOT NULL DEFAULT '',
    notes       TEXT    NOT NULL DEFAULT '',
    -- running, succeeded, failed, interrupted (the web stopped while it was running).
    status      TEXT    NOT NULL,
    started_ms  INTEGER NOT NULL,
    ended_ms    INTEGER,
    -- Where an imported run came from (the export's file name), else NULL.
    imported_from TEXT
);

CREATE INDEX runs_by_lab ON runs (lab_id, started_ms);

-- Everything that happened in a run, in order: operations, the apply result, kernel events, probe reports, capture
-- starts and ends, status changes. payload is the entry as JSON (the agent API's shape).
CREATE TABLE run_entries (
    run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    sequence INTEGER NOT NULL,
    at_ms    INTEGER NOT NULL,
    kind     TEXT    NOT NULL,
    payload  TEXT    NOT NULL,
    PRIMARY KEY (run_id, sequence)
) WITHOUT ROWID;

-- One capture of a run (an interface of a lab element); its frames are in run_frames.
CREATE TABLE run_captures (
    run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    element     TEXT    NOT NULL,
    interface   TEXT    NOT NULL,
    snap_length INTEGER NOT NULL,
    started_ms  INTEGER NOT NULL,
    ended_ms    INTEGER,
    PRIMARY KEY (run_id, number)
) WITHOUT ROWID;

CREATE TABLE run_frames (
    run_id          INTEGER NOT NULL,
    capture         INTEGER NOT NULL,
    number          INTEGER NOT NULL,
    at_us           INTEGER NOT NULL,
    original_length INTEGER NOT NULL,
    outgoing        INTEGER NOT NULL,
    data            BLOB    NOT NULL,
    PRIMARY KEY (run_id, capture, number),
    FOREIGN KEY (run_id, capture) REFERENCES run_captures (run_id, number) ON DELETE CASCADE
) WITHOUT ROWID;
