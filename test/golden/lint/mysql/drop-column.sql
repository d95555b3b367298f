-- drop-column: dropping a column of a released table; a column added in the same file may be dropped.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255), legacy_flag TINYINT(1));
-- file: 0002_drop.sql
ALTER TABLE users DROP COLUMN legacy_flag;
-- file: 0003_fresh.sql
ALTER TABLE users ADD COLUMN scratch INT;
ALTER TABLE users DROP COLUMN scratch;
