-- drop-not-null: allowing NULL in a released NOT NULL column, by the ALTER COLUMN form of SQLite 3.53 or by a rebuild; a column of this release may be relaxed.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT NOT NULL);
-- file: 0002_alter.sql
ALTER TABLE users ALTER COLUMN name DROP NOT NULL;
-- file: 0003_rebuild.sql
CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT, name TEXT);
INSERT INTO users_new (id, email, name) SELECT id, email, name FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
-- file: 0004_fresh.sql
CREATE TABLE invites (id INTEGER PRIMARY KEY, code TEXT NOT NULL);
ALTER TABLE invites ALTER COLUMN code DROP NOT NULL;
