-- add-column-required: a NOT NULL column without a default on a released table (SQLite refuses it once the table has rows).
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT);
-- file: 0002_required.sql
ALTER TABLE users ADD COLUMN tenant_id TEXT NOT NULL;
-- file: 0003_default.sql
ALTER TABLE teams ADD COLUMN plan TEXT NOT NULL DEFAULT 'free';
ALTER TABLE teams ADD COLUMN note TEXT;
-- file: 0004_fresh.sql
CREATE TABLE invites (id INTEGER PRIMARY KEY);
ALTER TABLE invites ADD COLUMN code TEXT NOT NULL;
-- file: 0005_rebuild.sql
-- A rebuild that adds a required column: the copy fills it, the previous release's inserts do not.
CREATE TABLE _teams_tmp (id INTEGER PRIMARY KEY, name TEXT, plan TEXT NOT NULL DEFAULT 'free', note TEXT, owner_id TEXT NOT NULL);
INSERT INTO _teams_tmp (id, name, plan, note, owner_id) SELECT id, name, plan, note, '' FROM teams;
DROP TABLE teams;
ALTER TABLE _teams_tmp RENAME TO teams;
