-- add-primary-key: a rebuild that gives a released table a primary key (SQLite cannot add one in place); a new table may have any key.
-- file: 0001_init.sql
CREATE TABLE memberships (user_id INTEGER, team_id INTEGER);
-- file: 0002_rebuild.sql
CREATE TABLE memberships_new (user_id INTEGER NOT NULL, team_id INTEGER NOT NULL, PRIMARY KEY (user_id, team_id));
INSERT INTO memberships_new SELECT user_id, team_id FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_new RENAME TO memberships;
-- file: 0003_fresh.sql
CREATE TABLE invites (code TEXT, team_id INTEGER, PRIMARY KEY (code));
