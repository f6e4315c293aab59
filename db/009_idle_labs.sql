-- Idle applied labs (issue 13 section 6): a student's applied lab that nobody has worked on for the role's
-- Quotas:<Role>:IdleAppliedMinutes is destroyed, to give its namespaces back to the class. "Worked on" is read from what
-- the store already records (a new revision, an apply, saved checks, a run started or ended) and from kept_ms: the last
-- time the owner pressed "Keep it applied" on the lab page's warning, for a lab left applied on purpose.
ALTER TABLE labs ADD COLUMN kept_ms INTEGER;
