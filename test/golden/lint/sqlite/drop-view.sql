-- drop-view: dropping a released view; a view of this release may be dropped.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, active INTEGER);
CREATE VIEW active_users AS SELECT id, email FROM users WHERE active = 1;
-- file: 0002_drop.sql
DROP VIEW active_users;
-- file: 0003_fresh.sql
CREATE VIEW user_emails AS SELECT email FROM users;
DROP VIEW user_emails;
