-- Compound statements written without DELIMITER: molt keeps their bodies whole.
CREATE TABLE items (id INT PRIMARY KEY, qty INT, label VARCHAR(20));

CREATE DEFINER=`root`@`localhost` PROCEDURE restock(IN amount INT)
BEGIN
  UPDATE items SET qty = qty + amount WHERE qty < 10;
  UPDATE items SET label = IF(qty > 100, 'plenty', 'few');
END;

CREATE DEFINER=CURRENT_USER TRIGGER items_bi BEFORE INSERT ON items FOR EACH ROW BEGIN IF NEW.qty IS NULL THEN SET NEW.qty = 1; END IF; END;

CREATE FUNCTION grade(q INT) RETURNS VARCHAR(10) DETERMINISTIC
BEGIN
  DECLARE g VARCHAR(10);
  CASE
    WHEN q > 100 THEN SET g = 'high';
    WHEN q > 10 THEN SET g = 'mid';
    ELSE SET g = 'low';
  END CASE;
  RETURN g;
END;

CREATE PROCEDURE drain()
outer_block: BEGIN
  DECLARE n INT DEFAULT 0;
  inner_block: BEGIN
    SELECT COUNT(*) INTO n FROM items;
    IF n = 0 THEN LEAVE outer_block; END IF;
  END inner_block;
  drain_loop: WHILE n > 0 DO
    SET n = n - 1;
  END WHILE drain_loop;
END outer_block;

CREATE FUNCTION double_it(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;

CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM items WHERE qty = 0; UPDATE items SET label = NULL; END;

UPDATE items SET label = IF(qty > 5, 'many', 'some'), qty = CASE WHEN qty IS NULL THEN 0 ELSE qty END;

BEGIN NOT ATOMIC
  DECLARE c INT;
  SELECT COUNT(*) INTO c FROM items;
  IF c = 0 THEN INSERT INTO items VALUES (1, 1, 'seed'); END IF;
END;

SELECT grade(50), double_it(2);
