-- alter-column-type: a type change readers see or that rewrites the table; true widenings are fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');
CREATE TABLE hosts (id bigint PRIMARY KEY, net cidr, code varchar(20), label varchar(40), seen timestamp(3), note text);
-- file: 0002_retype.sql
ALTER TABLE users ALTER COLUMN age TYPE bigint;
ALTER TABLE hosts ALTER COLUMN note TYPE varchar(200), ALTER COLUMN code SET DATA TYPE integer USING code::integer;
-- file: 0003_widen.sql
ALTER TABLE users ALTER COLUMN name TYPE varchar(200);
ALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2);
ALTER TABLE hosts ALTER COLUMN net TYPE inet, ALTER COLUMN label TYPE text, ALTER COLUMN seen TYPE timestamp(6);
-- file: 0004_new_column.sql
ALTER TABLE orders ADD COLUMN ref integer;
ALTER TABLE orders ALTER COLUMN ref TYPE bigint;
