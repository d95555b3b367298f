-- set-not-null: NOT NULL on a released column, by a rebuild or by the ALTER COLUMN form of SQLite 3.53; a column of this release may be tightened.
-- released: 0001
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT);
CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT);
-- file: 0002_rebuild.sql
PRAGMA foreign_keys = OFF;
CREATE TABLE new_users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);
INSERT INTO new_users SELECT id, email, name FROM users;
DROP TABLE users;
ALTER TABLE new_users RENAME TO users;
PRAGMA foreign_keys = ON;
-- file: 0003_alter.sql
ALTER TABLE teams ALTER COLUMN name SET NOT NULL;
-- file: 0004_fresh.sql
-- The table comes from this release (0002 and later are unreleased).
CREATE TABLE invites (id INTEGER PRIMARY KEY, code TEXT);
ALTER TABLE invites ALTER COLUMN code SET NOT NULL;
