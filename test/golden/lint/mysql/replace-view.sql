-- replace-view: CREATE OR REPLACE, ALTER VIEW, or DROP + CREATE of a released view; a new view is an expand change.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255), name VARCHAR(100));
CREATE VIEW user_emails AS SELECT id, email FROM users;
CREATE VIEW user_names AS SELECT id, name FROM users;
CREATE VIEW user_ids AS SELECT id FROM users;
-- file: 0002_replace.sql
CREATE OR REPLACE VIEW user_emails AS SELECT id, email, name FROM users;
ALTER VIEW user_names AS SELECT id, UPPER(name) AS name FROM users;
-- file: 0003_drop_create.sql
DROP VIEW user_ids;
CREATE VIEW user_ids AS SELECT id, email FROM users;
-- file: 0004_new_view.sql
CREATE OR REPLACE VIEW user_summary AS SELECT id, name FROM users;
