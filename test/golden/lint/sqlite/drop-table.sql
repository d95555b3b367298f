-- drop-table: dropping a released table; a table created in the same file may be dropped, and a rebuild is not a drop.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
CREATE TABLE audit (id INTEGER PRIMARY KEY, note TEXT);
CREATE TABLE sessions (id INTEGER PRIMARY KEY, token TEXT);
-- file: 0002_drop.sql
DROP TABLE audit;
-- file: 0003_fresh.sql
CREATE TABLE scratch (id INTEGER PRIMARY KEY);
DROP TABLE scratch;
-- file: 0004_recreate.sql
-- Dropping and creating again is not a rebuild: no row is copied.
DROP TABLE IF EXISTS sessions;
CREATE TABLE sessions (id INTEGER PRIMARY KEY, token TEXT, expires_at TEXT);
-- file: 0005_rebuild.sql
CREATE TABLE new_users (id INTEGER PRIMARY KEY, email TEXT, name TEXT);
-- molt:allow table-rebuild -- small table
INSERT INTO new_users (id, email) SELECT id, email FROM users;
DROP TABLE users;
ALTER TABLE new_users RENAME TO users;
