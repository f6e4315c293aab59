-- Accounts made by single sign-on (issue 13 section 1, Accounts/SingleSignOn). Such an account is known by its
-- provider's issuer and the subject the provider gave it (the ID token's iss and sub), never by its name: a user renamed
-- at the provider keeps the account, and a provider user whose name equals an existing account's does not get that
-- account. Its password_hash is NULL (it cannot use the local sign-in form); unlike the pre-accounts user 'local' it
-- can sign in, through the provider.
ALTER TABLE users ADD COLUMN external_issuer TEXT;
ALTER TABLE users ADD COLUMN external_subject TEXT;

-- One account per person at a provider.
CREATE UNIQUE INDEX users_by_external_subject ON users (external_issuer, external_subject) WHERE external_subject IS NOT NULL;
