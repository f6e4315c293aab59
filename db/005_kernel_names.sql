-- Kernel names of their own (issue 13 section 2). The agent used to know a lab by its YAML `name`, one namespace of
-- names for every user: two students applying one template destroyed each other's namespaces. Each lab now has a
-- kernel name of its own, fixed when it is made: up to 16 characters of its store name (so a student recognises it in
-- `ip netns list`), '-', then 4 random hex digits and the lab's id in hex (unique: the random part has a fixed width,
-- and ids are unique). At most 28 characters, a valid lab name (Core's LabName), and with the agent's default prefix
-- `nl-` every element name fits the 64-byte namespace limit. LabStore.CreateAsync gives new labs one by the same rule.
ALTER TABLE labs ADD COLUMN kernel_name TEXT;

-- A lab applied before this migration: the kernel still holds it under its applied revision's YAML `name` (and no
-- owner is recorded for it at the agent), until it is destroyed or applied again under its own name. Cleared by every
-- apply, destroy and reconciliation that records the lab as not applied.
ALTER TABLE labs ADD COLUMN kernel_legacy INTEGER NOT NULL DEFAULT 0 CHECK (kernel_legacy IN (0, 1));

UPDATE labs SET
    kernel_name = rtrim(substr(name, 1, 16), '-_') || '-' || lower(hex(randomblob(2))) || printf('%x', id),
    kernel_legacy = CASE WHEN applied_revision IS NULL THEN 0 ELSE 1 END;

CREATE UNIQUE INDEX labs_by_kernel_name ON labs (kernel_name);
