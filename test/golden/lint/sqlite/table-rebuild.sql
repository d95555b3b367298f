-- table-rebuild: the 12-step rebuild copies every row under the write lock; its schema change is judged as one modification, whatever the rebuild's shape. A copy into a new table that keeps the original is not a rebuild.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);
CREATE INDEX users_email_idx ON users (email);
CREATE INDEX users_name_idx ON users (name);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, body TEXT);
CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT);
-- file: 0002_rebuild.sql
-- sqlite.org "ALTER TABLE" §7: new table, copy, drop, rename, indexes. users_name_idx is not recreated.
PRAGMA foreign_keys = OFF;
CREATE TABLE new_users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, bio TEXT);
INSERT INTO new_users (id, email, name) SELECT id, email, name FROM users;
DROP TABLE users;
ALTER TABLE new_users RENAME TO users;
CREATE INDEX users_email_idx ON users (email);
PRAGMA foreign_key_check;
PRAGMA foreign_keys = ON;
-- file: 0003_rename_old.sql
-- The other shape: the original steps aside, a new table takes its name and its rows.
ALTER TABLE posts RENAME TO _posts_old;
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, body TEXT);
INSERT INTO posts SELECT * FROM _posts_old;
DROP TABLE _posts_old;
-- file: 0004_tmp.sql
-- Spread over files, as some tools write it: the DROP carries the change, the RENAME completes it.
CREATE TABLE _tags_tmp (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
-- file: 0005_tmp.sql
INSERT INTO _tags_tmp (id, label) SELECT id, label FROM tags;
-- file: 0006_tmp.sql
DROP TABLE tags;
-- file: 0007_tmp.sql
ALTER TABLE _tags_tmp RENAME TO tags;
-- file: 0008_archive.sql
-- A copy that keeps its source is no rebuild.
CREATE TABLE posts_archive (id INTEGER PRIMARY KEY, user_id INTEGER, body TEXT);
INSERT INTO posts_archive SELECT * FROM posts;
