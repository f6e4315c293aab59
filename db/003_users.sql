-- Local accounts (issue 13 section 1). The users table of 001 gains what signing in needs. Times are Unix milliseconds.
-- password_hash is ASP.NET Core's PasswordHasher format (PBKDF2, salted, versioned); NULL means the row cannot sign
-- in: the store's pre-accounts user 'local' (id 1), which owns the labs and runs made before accounts existed until
-- the first account takes that row over (UserStore.AddAsync).
ALTER TABLE users ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'student' CHECK (role IN ('instructor', 'student'));
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));
-- Changes whenever what a sign-in cookie vouches for changes (disable, enable, password reset): a cookie carries the
-- stamp it was issued with, and the web drops sessions whose stamp is no longer the account's.
ALTER TABLE users ADD COLUMN security_stamp TEXT NOT NULL DEFAULT '';

-- User names are unique whatever their case: 'Alice' and 'alice' are one person signing in.
CREATE UNIQUE INDEX users_by_name_nocase ON users (name COLLATE NOCASE);
