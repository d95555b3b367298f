-- update-rows: updating released columns of a released table; rows of a table of this release are nobody's yet.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
-- file: 0002_update.sql
UPDATE users SET email = lower(email) WHERE email <> lower(email);
-- file: 0003_fresh.sql
CREATE TABLE invites (id INTEGER PRIMARY KEY, code TEXT);
INSERT INTO invites (code) VALUES ('welcome');
UPDATE invites SET code = upper(code);
