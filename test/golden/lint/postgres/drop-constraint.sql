-- drop-constraint: dropping a released constraint; a constraint added in the same file is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
-- file: 0002_drop.sql
ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;
ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE;
-- file: 0003_new.sql
ALTER TABLE orders ADD COLUMN discount numeric;
ALTER TABLE orders ADD CONSTRAINT orders_discount_check CHECK (discount >= 0);
ALTER TABLE orders DROP CONSTRAINT orders_discount_check;
