-- add-foreign-key: a validated foreign key on released columns; the same on a new table is fine (NOT VALID is add-constraint-not-valid).
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_fk.sql
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
-- file: 0003_new_table.sql
CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint NOT NULL);
ALTER TABLE payments ADD CONSTRAINT payments_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id);
