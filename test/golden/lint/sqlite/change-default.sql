-- change-default: a rebuild that gives a released column another default; a default where there was none adds behaviour only.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, plan TEXT DEFAULT 'free', locale TEXT);
-- file: 0002_rebuild.sql
CREATE TABLE users_new (id INTEGER PRIMARY KEY, plan TEXT DEFAULT 'trial', locale TEXT);
INSERT INTO users_new SELECT * FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
-- file: 0003_rebuild.sql
CREATE TABLE users_new (id INTEGER PRIMARY KEY, plan TEXT DEFAULT 'trial', locale TEXT DEFAULT 'en');
INSERT INTO users_new SELECT * FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
