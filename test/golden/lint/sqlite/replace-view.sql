-- replace-view: SQLite has no CREATE OR REPLACE VIEW, so DROP VIEW + CREATE VIEW of the same name in one file is a replacement.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, active INTEGER);
CREATE VIEW active_users AS SELECT id, email FROM users WHERE active = 1;
CREATE VIEW all_users AS SELECT id, email FROM users;
-- file: 0002_replace.sql
DROP VIEW active_users;
CREATE VIEW active_users AS SELECT id, email FROM users WHERE active <> 0;
-- file: 0003_same.sql
-- The same definition again (spacing and case aside) changes nothing.
DROP VIEW IF EXISTS all_users;
CREATE VIEW all_users AS
  select id, email from users;
