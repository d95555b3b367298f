-- rename-constraint: RENAME INDEX / RENAME KEY of a released index; renaming an index created in the same file is fine.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255), KEY users_email_idx (email));
-- file: 0002_rename.sql
ALTER TABLE users RENAME INDEX users_email_idx TO users_email_key;
-- file: 0003_fresh.sql
CREATE INDEX tmp_idx ON users (id, email);
ALTER TABLE users RENAME KEY tmp_idx TO users_id_email_idx;
