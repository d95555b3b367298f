-- drop-constraint: removing a CHECK, UNIQUE or FOREIGN KEY of a released table, by DROP CONSTRAINT (SQLite 3.53) or by a rebuild.
-- file: 0001_init.sql
CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT UNIQUE,
  age INTEGER,
  team_id INTEGER REFERENCES teams (id) ON DELETE CASCADE,
  CONSTRAINT adult CHECK (age >= 18)
);
-- file: 0002_drop.sql
ALTER TABLE users DROP CONSTRAINT adult;
-- file: 0003_rebuild.sql
CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT, age INTEGER, team_id INTEGER);
INSERT INTO users_new SELECT id, email, age, team_id FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
-- file: 0004_fresh.sql
CREATE TABLE invites (id INTEGER PRIMARY KEY, code TEXT, CONSTRAINT code_length CHECK (length(code) = 8));
ALTER TABLE invites DROP CONSTRAINT code_length;
