-- rename-table: renaming a released table; renaming a table of this release, or the rename that ends a rebuild, is not.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT);
-- file: 0002_rename.sql
ALTER TABLE events RENAME TO audit_events;
-- file: 0003_fresh.sql
CREATE TABLE import_tmp (id INTEGER PRIMARY KEY, payload TEXT);
ALTER TABLE import_tmp RENAME TO imports;
-- file: 0004_rebuild.sql
CREATE TABLE _users_new (id INTEGER PRIMARY KEY, email TEXT, name TEXT);
INSERT INTO _users_new (id, email) SELECT id, email FROM users;
DROP TABLE users;
ALTER TABLE _users_new RENAME TO users;
