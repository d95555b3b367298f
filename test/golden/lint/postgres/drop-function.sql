-- drop-function: dropping or renaming a released function; a function created in the same file is fine.
-- file: 0001_init.sql
CREATE FUNCTION slugify(t text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(t)';
CREATE FUNCTION add_one(i int) RETURNS int LANGUAGE sql AS 'SELECT i + 1';
-- file: 0002_drop.sql
DROP FUNCTION slugify(text);
ALTER FUNCTION add_one(int) RENAME TO increment;
-- file: 0003_helper.sql
CREATE FUNCTION tmp_helper() RETURNS void LANGUAGE sql AS 'SELECT 1';
SELECT tmp_helper();
DROP FUNCTION tmp_helper();
