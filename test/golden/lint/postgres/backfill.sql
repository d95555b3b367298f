-- backfill: one UPDATE that fills columns of this release (same file or an unreleased one) is compatible but runs as one long transaction.
-- released: 0001
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_add.sql
ALTER TABLE orders ADD COLUMN currency char(3);
UPDATE orders SET currency = 'EUR';
-- file: 0003_backfill_unreleased.sql
UPDATE orders SET currency = 'USD' WHERE total > 1000;
