-- Checks and grades (issue 13 section 4). Times are Unix milliseconds (UTC).
-- A lab's checks: the text of a checks file (docs/checks.md), '' for none. The web validates it against the lab's
-- current revision before it stores it; the bound is the checks reader's own (256 KiB of UTF-8), so no stored text is
-- one the grader would refuse for its size.
ALTER TABLE labs ADD COLUMN checks TEXT NOT NULL DEFAULT '' CHECK (length(CAST(checks AS BLOB)) <= 262144);
ALTER TABLE labs ADD COLUMN checks_updated_ms INTEGER;

-- The grade of a run ("Check my work" records each grading as a run): the checks as graded (they travel with the run,
-- as its YAML does, so a later edit of the lab's checks does not change what an old grade meant), the counts and the
-- score (passed / total, 0 to 1). Kept apart from the run's entries so that grades can be listed and exported (a
-- course's grades as CSV) without reading every run's JSON.
CREATE TABLE run_grades (
    run_id      INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    checks      TEXT    NOT NULL,
    passed      INTEGER NOT NULL,
    failed      INTEGER NOT NULL,
    not_checked INTEGER NOT NULL,
    total       INTEGER NOT NULL,
    score       REAL    NOT NULL,
    summary     TEXT    NOT NULL,
    graded_ms   INTEGER NOT NULL
);

-- Every check's result of a graded run, in the checks' order (number from 1). explanation and fix are NetLab's
-- reasoning about a failed check; they are stored whatever students are shown, so an instructor can decide later.
CREATE TABLE run_check_results (
    run_id      INTEGER NOT NULL REFERENCES run_grades (run_id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    check_id    TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('passed', 'failed', 'notChecked')),
    observed    TEXT,
    reason      TEXT,
    explanation TEXT,
    fix         TEXT,
    PRIMARY KEY (run_id, number)
) WITHOUT ROWID;
