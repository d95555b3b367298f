-- index-not-concurrent: building an index on a released table holds the database write lock; a new table, or a column of this release, is empty.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, created_at TEXT);
-- file: 0002_index.sql
CREATE INDEX users_created_at_idx ON users (created_at);
-- file: 0003_fresh.sql
CREATE TABLE invites (id INTEGER PRIMARY KEY, code TEXT);
CREATE INDEX invites_code_idx ON invites (code);
ALTER TABLE users ADD COLUMN team_id INTEGER;
CREATE INDEX users_team_id_idx ON users (team_id);
