-- delete-rows: DELETE from a released table; deleting from a new table is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_delete.sql
DELETE FROM orders WHERE status = 'cancelled';
DELETE FROM users USING orders WHERE orders.user_id = users.id AND orders.total IS NULL;
-- file: 0003_new_table.sql
CREATE TABLE imports (id bigint, ok boolean);
DELETE FROM imports WHERE NOT ok;
