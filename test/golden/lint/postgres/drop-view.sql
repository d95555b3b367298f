-- drop-view: dropping or renaming a released view; a view created in the same file is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');
CREATE VIEW active_users AS SELECT id, email FROM users;
CREATE MATERIALIZED VIEW order_totals AS SELECT user_id, sum(total) AS total FROM orders GROUP BY user_id;
-- file: 0002_drop.sql
DROP VIEW active_users;
ALTER MATERIALIZED VIEW order_totals RENAME TO totals;
-- file: 0003_new.sql
CREATE VIEW recent AS SELECT id FROM orders;
DROP VIEW recent;
