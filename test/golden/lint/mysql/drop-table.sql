-- drop-table: dropping a released table is a contract change; a table created in the same file, or one that never existed, is not.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255));
CREATE TABLE audit_log (id INT PRIMARY KEY, note TEXT);
-- file: 0002_drop_audit.sql
DROP TABLE audit_log;
-- file: 0003_scratch.sql
CREATE TABLE scratch (id INT PRIMARY KEY);
DROP TABLE scratch;
DROP TABLE IF EXISTS never_created;
