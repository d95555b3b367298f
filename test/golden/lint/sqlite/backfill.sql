-- backfill: filling a column this release added, in one UPDATE; compatible, but one long write transaction.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
-- file: 0002_backfill.sql
ALTER TABLE users ADD COLUMN email_lower TEXT;
UPDATE users SET email_lower = lower(email);
-- file: 0003_fresh.sql
CREATE TABLE invites (id INTEGER PRIMARY KEY, code TEXT, code_upper TEXT);
UPDATE invites SET code_upper = upper(code);
