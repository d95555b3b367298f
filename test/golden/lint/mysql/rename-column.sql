-- rename-column: RENAME COLUMN and CHANGE old new on a released column; renaming a column added in the same file is fine.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, mail VARCHAR(255) NOT NULL, nick VARCHAR(50));
-- file: 0002_rename.sql
ALTER TABLE users RENAME COLUMN mail TO email;
ALTER TABLE users CHANGE nick nickname VARCHAR(50);
-- file: 0003_fresh.sql
ALTER TABLE users ADD COLUMN tmp_name VARCHAR(100);
ALTER TABLE users RENAME COLUMN tmp_name TO display_name;
