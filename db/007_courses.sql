-- Courses and assignments (issue 13 section 3). Times are Unix milliseconds.
-- A course is its instructor's; students are enrolled in it.
CREATE TABLE courses (
    id            INTEGER PRIMARY KEY,
    instructor_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    created_ms    INTEGER NOT NULL,
    UNIQUE (instructor_id, name)
);

CREATE TABLE enrolments (
    course_id   INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    student_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    enrolled_ms INTEGER NOT NULL,
    PRIMARY KEY (course_id, student_id)
) WITHOUT ROWID;

CREATE INDEX enrolments_by_student ON enrolments (student_id);

-- An assignment keeps the template's YAML, guide and checks as they were when published: a later edit of the
-- instructor's lab does not change what students were given.
CREATE TABLE assignments (
    id                INTEGER PRIMARY KEY,
    course_id         INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title             TEXT    NOT NULL,
    template_yaml     TEXT    NOT NULL,
    guide             TEXT    NOT NULL DEFAULT '',
    checks            TEXT    NOT NULL DEFAULT '',
    -- Whether a student reads why a failed check failed (NetLab's explanation), or only that it failed.
    show_explanations INTEGER NOT NULL DEFAULT 1 CHECK (show_explanations IN (0, 1)),
    starts_ms         INTEGER,
    due_ms            INTEGER,
    published_ms      INTEGER NOT NULL,
    UNIQUE (course_id, title)
);

-- Each student's own copy of an assignment: a lab of theirs whose revision 1 is the template. Deleting the lab
-- removes the row, and the next "Open" makes a fresh copy.
CREATE TABLE assignment_labs (
    assignment_id INTEGER NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    student_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    lab_id        INTEGER NOT NULL UNIQUE REFERENCES labs (id) ON DELETE CASCADE,
    PRIMARY KEY (assignment_id, student_id)
) WITHOUT ROWID;

-- What a student handed in: the graded run (kept when the run is deleted, as its figures), passed of total checks.
CREATE TABLE submissions (
    id            INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    student_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    run_id        INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    passed        INTEGER NOT NULL CHECK (passed >= 0),
    total         INTEGER NOT NULL CHECK (total >= passed),
    submitted_ms  INTEGER NOT NULL,
    late          INTEGER NOT NULL CHECK (late IN (0, 1))
);

CREATE INDEX submissions_by_assignment ON submissions (assignment_id, student_id, submitted_ms);
