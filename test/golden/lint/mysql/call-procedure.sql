-- call-procedure: CALL runs code the file does not show; creating the procedure without calling it is an expand change.
-- file: 0001_init.sql
CREATE TABLE accounts (id INT PRIMARY KEY, balance DECIMAL(10,2) NOT NULL DEFAULT 0);
-- file: 0002_call.sql
DELIMITER //
CREATE PROCEDURE reset_balances()
BEGIN
  UPDATE accounts SET balance = 0;
END //
DELIMITER ;
CALL reset_balances();
-- file: 0003_define_only.sql
CREATE PROCEDURE count_accounts() SELECT COUNT(*) FROM accounts;
