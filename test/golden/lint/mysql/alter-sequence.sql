-- alter-sequence: ALTER TABLE ... AUTO_INCREMENT = n on a released table; the same option on a new table is fine.
-- file: 0001_init.sql
CREATE TABLE invoices (id INT PRIMARY KEY AUTO_INCREMENT, total INT);
-- file: 0002_restart.sql
ALTER TABLE invoices AUTO_INCREMENT = 100000;
-- file: 0003_fresh.sql
CREATE TABLE credit_notes (id INT PRIMARY KEY AUTO_INCREMENT, total INT) AUTO_INCREMENT = 5000;
ALTER TABLE credit_notes AUTO_INCREMENT = 6000;
