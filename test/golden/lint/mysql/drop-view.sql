-- drop-view: dropping a released view; IF EXISTS of a view that never existed, or a view of the same file, is fine.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255));
CREATE VIEW active_users AS SELECT id, email FROM users;
-- file: 0002_drop_view.sql
DROP VIEW active_users;
-- file: 0003_fresh.sql
DROP VIEW IF EXISTS never_created;
CREATE VIEW tmp_users AS SELECT id FROM users;
DROP VIEW tmp_users;
