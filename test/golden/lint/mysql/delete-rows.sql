-- delete-rows: DELETE of released rows; deleting from a table created in the same file is fine.
-- file: 0001_init.sql
CREATE TABLE sessions (id CHAR(36) PRIMARY KEY, expires_at DATETIME NOT NULL);
-- file: 0002_delete.sql
DELETE FROM sessions WHERE expires_at < NOW();
-- file: 0003_fresh.sql
CREATE TABLE staging (id INT PRIMARY KEY);
INSERT INTO staging (id) VALUES (1), (2);
DELETE FROM staging WHERE id = 1;
