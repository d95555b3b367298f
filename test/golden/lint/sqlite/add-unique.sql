-- add-unique: a unique index or UNIQUE constraint on released columns; on a new table or a column of this release it tightens nothing.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT);
CREATE TABLE teams (id INTEGER PRIMARY KEY, slug TEXT);
-- file: 0002_unique.sql
CREATE UNIQUE INDEX users_email_key ON users (email);
-- file: 0003_rebuild.sql
CREATE TABLE teams_new (id INTEGER PRIMARY KEY, slug TEXT UNIQUE);
INSERT INTO teams_new SELECT id, slug FROM teams;
DROP TABLE teams;
ALTER TABLE teams_new RENAME TO teams;
-- file: 0004_fresh.sql
CREATE TABLE invites (id INTEGER PRIMARY KEY, code TEXT);
CREATE UNIQUE INDEX invites_code_key ON invites (code);
ALTER TABLE users ADD COLUMN handle TEXT;
CREATE UNIQUE INDEX users_handle_key ON users (handle);
