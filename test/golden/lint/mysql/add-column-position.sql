-- add-column-position: ADD COLUMN ... FIRST / AFTER is not INSTANT on older servers; an appended column is.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255));
-- file: 0002_position.sql
ALTER TABLE users ADD COLUMN name VARCHAR(100) AFTER id;
ALTER TABLE users ADD COLUMN tenant_id INT FIRST;
-- file: 0003_append.sql
ALTER TABLE users ADD COLUMN phone VARCHAR(20);
