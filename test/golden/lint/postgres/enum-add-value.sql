-- enum-add-value: adding a value to a released enum: compatible, but old readers may meet it; a new enum is fine.
-- file: 0001_init.sql
CREATE TYPE order_status AS ENUM ('new', 'paid');
CREATE TABLE orders (id bigint PRIMARY KEY, status order_status NOT NULL DEFAULT 'new');
-- file: 0002_add_value.sql
ALTER TYPE order_status ADD VALUE 'refunded';
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'shipped' BEFORE 'paid';
-- file: 0003_new_enum.sql
CREATE TYPE channel AS ENUM ('web');
ALTER TYPE channel ADD VALUE 'api';
