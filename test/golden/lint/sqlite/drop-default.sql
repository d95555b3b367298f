-- drop-default: a rebuild that removes a released column's default; DEFAULT NULL is no default, so dropping it changes nothing.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, plan TEXT DEFAULT 'free', locale TEXT DEFAULT NULL);
-- file: 0002_rebuild.sql
CREATE TABLE users_new (id INTEGER PRIMARY KEY, plan TEXT, locale TEXT);
INSERT INTO users_new SELECT * FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
