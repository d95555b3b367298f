-- table-rewrite: VACUUM FULL, CLUSTER, SET TABLESPACE and SET LOGGED/UNLOGGED rewrite a released table; plain VACUUM and a new table are fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_vacuum_full.sql
VACUUM FULL orders;
-- file: 0003_rewrites.sql
CLUSTER users USING users_pkey;
ALTER TABLE orders SET TABLESPACE fast_disk;
ALTER TABLE users SET UNLOGGED;
-- file: 0004_vacuum.sql
VACUUM (ANALYZE) orders;
-- file: 0005_new.sql
CREATE TABLE events (id bigint, payload jsonb);
ALTER TABLE events SET UNLOGGED;
