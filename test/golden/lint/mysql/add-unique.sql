-- add-unique: a unique index or key on released columns, or on a new column that gives every old row one same value;
-- plain indexes, new tables and new nullable columns without a default are fine.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255), name VARCHAR(100));
-- file: 0002_unique.sql
CREATE UNIQUE INDEX users_email_uq ON users (email);
ALTER TABLE users ADD UNIQUE KEY users_name_uq (name);
ALTER TABLE users ADD COLUMN code VARCHAR(10) NOT NULL DEFAULT '', ADD UNIQUE KEY users_code_uq (code);
-- file: 0003_safe.sql
CREATE INDEX users_name_idx ON users (name);
ALTER TABLE users ADD COLUMN handle VARCHAR(50), ADD UNIQUE KEY users_handle_uq (handle);
CREATE TABLE teams (id INT PRIMARY KEY, slug VARCHAR(50));
CREATE UNIQUE INDEX teams_slug_uq ON teams (slug);
