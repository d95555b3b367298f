CREATE TABLE audit_log (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(255), created_at DATETIME);
CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(20), total INT);

DELIMITER $$   -- trigger bodies hold semicolons
CREATE TRIGGER orders_before_insert BEFORE INSERT ON orders
FOR EACH ROW
BEGIN
  IF NEW.status IS NULL THEN
    SET NEW.status = 'new';
  ELSEIF NEW.status = 'x' THEN
    SET NEW.status = 'cancelled';
  END IF;
END$$

CREATE TRIGGER orders_after_update AFTER UPDATE ON orders
FOR EACH ROW
  INSERT INTO audit_log (note, created_at) VALUES (CONCAT('order ', NEW.id, '; status ', NEW.status), NOW())$$

CREATE PROCEDURE countdown(IN n INT)
BEGIN
  DECLARE i INT DEFAULT n;
  ticks: LOOP
    IF i <= 0 THEN LEAVE ticks; END IF;
    SET i = i - 1;
  END LOOP ticks;
  WHILE i < 3 DO SET i = i + 1; END WHILE;
  REPEAT SET i = i - 1; UNTIL i = 0 END REPEAT;
END $$
delimiter ;   
UPDATE orders SET status = IF(total > 100, 'big', 'small');
