-- reorder-column: MODIFY ... FIRST / AFTER moves a released column and rebuilds the table; moving a new column is fine.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255) NOT NULL, name VARCHAR(100));
-- file: 0002_move.sql
ALTER TABLE users MODIFY name VARCHAR(100) AFTER id;
-- file: 0003_fresh.sql
ALTER TABLE users ADD COLUMN phone VARCHAR(20);
ALTER TABLE users MODIFY phone VARCHAR(20) AFTER email;
