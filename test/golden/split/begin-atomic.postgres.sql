CREATE TABLE scores (id int PRIMARY KEY, points int);

CREATE FUNCTION score_label(p int) RETURNS text
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
  SELECT CASE WHEN p > 10 THEN 'high' ELSE 'low' END;
END;

CREATE PROCEDURE add_score(i int, p int)
LANGUAGE sql
BEGIN ATOMIC
  INSERT INTO scores VALUES (i, p);
  UPDATE scores SET points = points + 1 WHERE id = i;
END;

BEGIN;
UPDATE scores SET points = 0 WHERE points IS NULL;
COMMIT;
