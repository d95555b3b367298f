-- set-not-null: SET NOT NULL on a released column scans the table and tightens writes; a column added in the same file is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_not_null.sql
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
-- file: 0003_new_column.sql
ALTER TABLE orders ADD COLUMN channel text DEFAULT 'web';
UPDATE orders SET channel = 'web';
ALTER TABLE orders ALTER COLUMN channel SET NOT NULL;
-- file: 0004_already.sql
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
