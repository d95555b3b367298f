-- add-check: a validated CHECK on released columns; a check on a new column or a new table is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_check.sql
ALTER TABLE users ADD CONSTRAINT users_age_positive CHECK (age >= 0);
-- file: 0003_safe.sql
ALTER TABLE orders ADD COLUMN discount numeric;
ALTER TABLE orders ADD CONSTRAINT orders_discount_range CHECK (discount BETWEEN 0 AND 1);
CREATE TABLE coupons (code text, percent int);
ALTER TABLE coupons ADD CONSTRAINT coupons_percent CHECK (percent <= 100);
