-- truncate-table: emptying a released table; a table created in the same file may be emptied.
-- file: 0001_init.sql
CREATE TABLE sessions (id CHAR(36) PRIMARY KEY, expires_at DATETIME NOT NULL);
-- file: 0002_truncate.sql
TRUNCATE TABLE sessions;
-- file: 0003_fresh.sql
CREATE TABLE staging (id INT PRIMARY KEY);
TRUNCATE staging;
