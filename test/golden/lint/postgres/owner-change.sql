-- owner-change: changing the owner of a released object; new objects are fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE FUNCTION slugify(t text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(t)';
-- file: 0002_owner.sql
ALTER TABLE users OWNER TO app_owner;
ALTER FUNCTION slugify(text) OWNER TO app_owner;
-- file: 0003_new.sql
CREATE TABLE teams (id bigint PRIMARY KEY);
ALTER TABLE teams OWNER TO app_owner;
