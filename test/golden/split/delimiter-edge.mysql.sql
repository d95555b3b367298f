CREATE TABLE marks (id INT PRIMARY KEY, delimiter VARCHAR(20));
-- DELIMITER // in a comment is not a command;
INSERT INTO marks (id, delimiter) VALUES (1, 'DELIMITER //');
SELECT id,
delimiter FROM marks;
SELECT 1 AS delimiter; SELECT 2 AS x;
  Delimiter ||
INSERT INTO marks VALUES (2, 'a;b') ||
INSERT INTO marks VALUES (3, '||') ||
DELIMITER ;
SELECT delimiter FROM marks WHERE id = 3
