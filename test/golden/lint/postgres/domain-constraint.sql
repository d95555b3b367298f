-- domain-constraint: adding a constraint to a released domain checks every column of it; CREATE DOMAIN with a check is an addition.
-- file: 0001_init.sql
CREATE DOMAIN email_address AS text;
CREATE TABLE contacts (id bigint PRIMARY KEY, email email_address);
-- file: 0002_constrain.sql
ALTER DOMAIN email_address ADD CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%');
ALTER DOMAIN email_address SET NOT NULL;
-- file: 0003_new.sql
CREATE DOMAIN percent AS numeric CHECK (VALUE BETWEEN 0 AND 100);
ALTER DOMAIN percent ADD CONSTRAINT percent_not_null CHECK (VALUE IS NOT NULL);
