-- add-column-generated-stored: a STORED generated column is computed for every row; a VIRTUAL one is not.
-- file: 0001_init.sql
CREATE TABLE people (id INT PRIMARY KEY, first_name VARCHAR(50), last_name VARCHAR(50));
-- file: 0002_stored.sql
ALTER TABLE people ADD COLUMN full_name VARCHAR(101) GENERATED ALWAYS AS (CONCAT(first_name, ' ', last_name)) STORED;
-- file: 0003_virtual.sql
ALTER TABLE people ADD COLUMN initials VARCHAR(2) AS (CONCAT(LEFT(first_name, 1), LEFT(last_name, 1))) VIRTUAL;
