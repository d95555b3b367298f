-- unknown-allow and unused-allow: an acknowledgement must name a rule, and one the statement breaks.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
-- file: 0002_allow.sql
CREATE TABLE teams (id INTEGER PRIMARY KEY);
-- molt:allow index-not-concurent
CREATE INDEX users_email_idx ON users (email);
-- molt:allow drop-table
CREATE TABLE invites (id INTEGER PRIMARY KEY);
-- file: 0003_allow.sql
CREATE TABLE tags (id INTEGER PRIMARY KEY);
-- molt:allow index-not-concurrent -- small table, built in milliseconds
CREATE INDEX users_id_email_idx ON users (id, email);
