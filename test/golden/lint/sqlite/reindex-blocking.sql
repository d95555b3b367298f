-- reindex-blocking: REINDEX of released indexes holds the write lock; a table of this release is empty.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT COLLATE NOCASE);
CREATE INDEX users_email_idx ON users (email);
-- file: 0002_reindex.sql
REINDEX users;
-- file: 0003_fresh.sql
CREATE TABLE invites (id INTEGER PRIMARY KEY, code TEXT);
CREATE INDEX invites_code_idx ON invites (code);
REINDEX invites;
