-- convert-charset: CONVERT TO CHARACTER SET, a new default charset or collation of a released table, or a column restated with another collation.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255) NOT NULL) DEFAULT CHARSET=latin1;
CREATE TABLE tags (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL);
-- file: 0002_convert.sql
ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER TABLE tags DEFAULT CHARSET=utf8mb4;
ALTER TABLE tags MODIFY name VARCHAR(50) BINARY NOT NULL;
-- file: 0003_fresh.sql
CREATE TABLE notes (id INT PRIMARY KEY, body TEXT);
ALTER TABLE notes CONVERT TO CHARACTER SET utf8mb4;
