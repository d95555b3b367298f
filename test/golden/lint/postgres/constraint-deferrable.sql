-- constraint-deferrable: changing when a released constraint is checked; constraints of new tables are fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
-- file: 0002_deferrable.sql
ALTER TABLE orders ALTER CONSTRAINT orders_user_id_fkey DEFERRABLE INITIALLY DEFERRED;
-- file: 0003_new.sql
CREATE TABLE lines (order_id bigint CONSTRAINT lines_order_fkey REFERENCES orders (id));
ALTER TABLE lines ALTER CONSTRAINT lines_order_fkey DEFERRABLE;
