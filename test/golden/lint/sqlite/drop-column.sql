-- drop-column: dropping a column of a released table, in place or by a rebuild; a column added in the same release may be dropped.
-- released: 0002
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, legacy_flag INTEGER, nickname TEXT);
-- file: 0002_drop.sql
ALTER TABLE users DROP COLUMN legacy_flag;
-- file: 0003_add.sql
ALTER TABLE users ADD COLUMN scratch INTEGER;
-- file: 0004_fresh.sql
-- Added by 0003, which the previous release never ran.
ALTER TABLE users DROP COLUMN scratch;
-- file: 0005_rebuild.sql
CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT);
INSERT INTO users_new (id, email) SELECT id, email FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
