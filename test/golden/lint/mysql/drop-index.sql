-- drop-index: DROP INDEX or ALTER TABLE ... DROP INDEX of a released index; dropping an index created in the same file is fine.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255), name VARCHAR(100), KEY users_email_idx (email), KEY users_name_idx (name));
-- file: 0002_drop.sql
DROP INDEX users_email_idx ON users;
ALTER TABLE users DROP INDEX users_name_idx;
-- file: 0003_fresh.sql
CREATE INDEX tmp_idx ON users (name);
DROP INDEX tmp_idx ON users;
