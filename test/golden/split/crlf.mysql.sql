CREATE TABLE crlf (id INT PRIMARY KEY, v VARCHAR(20));
-- a comment
INSERT INTO crlf VALUES (1, 'a;
b');

DELIMITER //
CREATE PROCEDURE crlf_p()
BEGIN
  SELECT 1;
  SELECT 2;
END//
DELIMITER ;
CALL crlf_p();
SELECT * FROM crlf
