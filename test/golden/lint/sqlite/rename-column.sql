-- rename-column: renaming a column of a released table, in place or by a rebuild's copy; a column of this release may be renamed.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, fullname TEXT);
-- file: 0002_rename.sql
ALTER TABLE users RENAME COLUMN email TO email_address;
-- file: 0003_fresh.sql
ALTER TABLE users ADD COLUMN nick TEXT;
ALTER TABLE users RENAME COLUMN nick TO nickname;
-- file: 0004_rebuild.sql
-- The copy maps fullname into display_name: a rename, not a drop.
CREATE TABLE users_tmp (id INTEGER PRIMARY KEY, email_address TEXT, display_name TEXT, nickname TEXT);
INSERT INTO users_tmp (id, email_address, display_name, nickname) SELECT id, email_address, fullname, nickname FROM users;
DROP TABLE users;
ALTER TABLE users_tmp RENAME TO users;
