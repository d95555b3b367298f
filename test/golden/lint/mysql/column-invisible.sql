-- column-invisible: SET INVISIBLE hides a released column from SELECT *; SET VISIBLE and hiding a new column are fine.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255), secret VARCHAR(64) INVISIBLE);
-- file: 0002_hide.sql
ALTER TABLE users ALTER COLUMN email SET INVISIBLE;
-- file: 0003_safe.sql
ALTER TABLE users ALTER COLUMN secret SET VISIBLE;
ALTER TABLE users ADD COLUMN token VARCHAR(64);
ALTER TABLE users ALTER COLUMN token SET INVISIBLE;
