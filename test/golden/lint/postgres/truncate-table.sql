-- truncate-table: TRUNCATE of a released table; truncating a table created in the same file is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_truncate.sql
TRUNCATE TABLE orders, users CASCADE;
-- file: 0003_new.sql
CREATE TABLE staging (id int);
INSERT INTO staging VALUES (1);
TRUNCATE staging;
