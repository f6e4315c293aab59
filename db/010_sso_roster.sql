-- Roster accounts that sign in with single sign-on (issue 13 section 3, "linking SSO users"). An instructor who imports
-- a roster before the students have ever signed in through the school's provider would otherwise create local accounts
-- under their names, and single sign-on refuses a name another account holds (never taking an account over). Such a
-- roster line now makes an account awaiting single sign-on: no password (it cannot use the sign-in form), no provider
-- subject yet. The first sign-in through the provider whose user name is that account's links it (issuer and subject
-- set, awaiting_sso cleared); only such a student account is ever linked by name, never a local or linked one.
ALTER TABLE users ADD COLUMN awaiting_sso INTEGER NOT NULL DEFAULT 0 CHECK (awaiting_sso IN (0, 1));
