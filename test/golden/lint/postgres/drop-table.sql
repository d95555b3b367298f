-- drop-table: dropping a released table breaks the previous release; a table created and dropped in one file does not, and drop-and-recreate still drops.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');
CREATE TABLE audit (id bigint PRIMARY KEY, note text);
-- file: 0002_drop.sql
DROP TABLE audit;
-- file: 0003_recreate.sql
DROP TABLE IF EXISTS orders;
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL);
-- file: 0004_scratch.sql
CREATE TABLE scratch (id int);
DROP TABLE scratch;
