-- drop-index: dropping a released index; recreating it (same definition) in the same file, or dropping an index of this release, is not (the rebuilt index still holds the write lock).
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT);
CREATE INDEX users_email_idx ON users (email);
CREATE INDEX users_name_idx ON users (name);
-- file: 0002_drop.sql
DROP INDEX users_email_idx;
-- file: 0003_recreate.sql
DROP INDEX users_name_idx;
CREATE INDEX users_name_idx ON users (name ASC);
-- file: 0004_fresh.sql
CREATE TABLE invites (id INTEGER PRIMARY KEY, code TEXT);
CREATE INDEX invites_code_idx ON invites (code);
DROP INDEX invites_code_idx;
