-- update-rows: UPDATE of released columns may change what the previous release reads; updating a table created in the same file is fine.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255));
-- file: 0002_update.sql
UPDATE users SET email = LOWER(email);
-- file: 0003_fresh.sql
CREATE TABLE settings (name VARCHAR(50) PRIMARY KEY, value VARCHAR(255));
INSERT INTO settings (name, value) VALUES ('theme', 'dark');
UPDATE settings SET value = 'light' WHERE name = 'theme';
