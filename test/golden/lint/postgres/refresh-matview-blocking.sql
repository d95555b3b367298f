-- refresh-matview-blocking: REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks readers; CONCURRENTLY, or a view created in the same file, is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');
CREATE MATERIALIZED VIEW order_totals AS SELECT user_id, sum(total) AS total FROM orders GROUP BY user_id;
CREATE UNIQUE INDEX order_totals_user ON order_totals (user_id);
-- file: 0002_refresh.sql
REFRESH MATERIALIZED VIEW order_totals;
-- file: 0003_concurrently.sql
REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;
-- file: 0004_new.sql
CREATE MATERIALIZED VIEW user_counts AS SELECT count(*) AS n FROM users WITH NO DATA;
REFRESH MATERIALIZED VIEW user_counts;
