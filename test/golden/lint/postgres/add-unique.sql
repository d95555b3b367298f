-- add-unique: a blocking unique index or constraint on released columns; unique on new columns or tables, and USING INDEX, are not.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_unique.sql
CREATE UNIQUE INDEX users_email_key ON users (email);
ALTER TABLE orders ADD CONSTRAINT orders_user_status_key UNIQUE (user_id, status);
-- file: 0003_safe.sql
CREATE TABLE teams (id bigint PRIMARY KEY, slug text NOT NULL);
CREATE UNIQUE INDEX teams_slug_key ON teams (slug);
-- file: 0004_using_index.sql
ALTER TABLE users ADD CONSTRAINT users_email_unique UNIQUE USING INDEX users_email_key;
