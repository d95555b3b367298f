-- Stored routines written the way the mysql client expects them.
CREATE TABLE accounts (
  id INT PRIMARY KEY AUTO_INCREMENT,
  balance DECIMAL(10, 2) NOT NULL DEFAULT 0
);

DELIMITER //

CREATE DEFINER=`root`@`localhost` PROCEDURE credit(IN account INT, IN amount DECIMAL(10, 2))
BEGIN
  DECLARE current DECIMAL(10, 2);
  SELECT balance INTO current FROM accounts WHERE id = account FOR UPDATE;
  IF current IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no such account; giving up';
  END IF;
  UPDATE accounts SET balance = balance + amount WHERE id = account;
END //

CREATE FUNCTION fee(amount DECIMAL(10, 2)) RETURNS DECIMAL(10, 2)
DETERMINISTIC
BEGIN
  RETURN CASE WHEN amount > 100 THEN 1.5 ELSE 0 END;
END//

DELIMITER ;

INSERT INTO accounts (balance) VALUES (10), (20);
CALL credit(1, 5);
