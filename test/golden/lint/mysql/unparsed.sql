-- unparsed: what neither node-sql-parser nor the keyword classifier can read is ambiguous; readable statements are classified.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255));
-- file: 0002_unreadable.sql
ALTER TABLE users DISCARD TABLESPACE;
SET @ddl = CONCAT('ALTER TABLE users ADD COLUMN c', FLOOR(RAND() * 10), ' INT');
PREPARE stmt FROM @ddl;
EXECUTE stmt;
-- file: 0003_readable.sql
ALTER TABLE users ADD COLUMN name VARCHAR(100);
