-- replace-function: DROP + CREATE (or MariaDB CREATE OR REPLACE) of a released routine; a new routine, even after DROP IF EXISTS, is an expand change.
-- file: 0001_init.sql
CREATE TABLE accounts (id INT PRIMARY KEY, balance DECIMAL(10,2) NOT NULL DEFAULT 0);
DELIMITER //
CREATE PROCEDURE credit(IN account INT, IN amount DECIMAL(10,2))
BEGIN
  UPDATE accounts SET balance = balance + amount WHERE id = account;
END //
CREATE FUNCTION fee(amount DECIMAL(10,2)) RETURNS DECIMAL(10,2) DETERMINISTIC RETURN amount * 0.01 //
DELIMITER ;
-- file: 0002_replace.sql
DROP PROCEDURE IF EXISTS credit;
DELIMITER //
CREATE PROCEDURE credit(IN account INT, IN amount DECIMAL(10,2))
BEGIN
  UPDATE accounts SET balance = balance + amount - fee(amount) WHERE id = account;
END //
DELIMITER ;
CREATE OR REPLACE FUNCTION fee(amount DECIMAL(10,2)) RETURNS DECIMAL(10,2) DETERMINISTIC RETURN amount * 0.02;
-- file: 0003_new.sql
DROP PROCEDURE IF EXISTS debit;
DELIMITER //
CREATE PROCEDURE debit(IN account INT, IN amount DECIMAL(10,2))
BEGIN
  UPDATE accounts SET balance = balance - amount WHERE id = account;
END //
DELIMITER ;
