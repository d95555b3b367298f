-- replace-view: CREATE OR REPLACE of a released view; the first CREATE OR REPLACE of a view, or a replace in the file that created it, is an addition.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');
CREATE VIEW active_users AS SELECT id, email FROM users;
-- file: 0002_replace.sql
CREATE OR REPLACE VIEW active_users AS SELECT id, email, name FROM users;
-- file: 0003_new.sql
CREATE OR REPLACE VIEW big_orders AS SELECT id FROM orders WHERE total > 100;
CREATE OR REPLACE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
