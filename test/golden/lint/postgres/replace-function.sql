-- replace-function: CREATE OR REPLACE of a function from an earlier file; a new function, overload, or a replace in the same file is an addition.
-- file: 0001_init.sql
CREATE FUNCTION total_with_tax(amount numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT amount * 1.2';
-- file: 0002_replace.sql
CREATE OR REPLACE FUNCTION total_with_tax(amount numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT amount * 1.25';
-- file: 0003_new.sql
CREATE OR REPLACE FUNCTION total_with_tax(amount numeric, rate numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT amount * (1 + rate)';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$;
