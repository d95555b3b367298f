-- delete-rows: deleting rows of a released table; rows of a table of this release are nobody's yet.
-- file: 0001_init.sql
CREATE TABLE sessions (id INTEGER PRIMARY KEY, expires_at TEXT);
-- file: 0002_delete.sql
DELETE FROM sessions WHERE expires_at < datetime('now');
-- file: 0003_fresh.sql
CREATE TABLE invites (id INTEGER PRIMARY KEY, code TEXT);
DELETE FROM invites;
