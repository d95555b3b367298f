-- rename-constraint: renaming a released constraint or index; renaming new ones is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');
CREATE INDEX orders_user_id_idx ON orders (user_id);
-- file: 0002_rename.sql
ALTER TABLE users RENAME CONSTRAINT users_pkey TO users_primary;
ALTER INDEX orders_user_id_idx RENAME TO orders_by_user;
-- file: 0003_new.sql
CREATE TABLE notes (id bigint CONSTRAINT notes_pk PRIMARY KEY);
ALTER TABLE notes RENAME CONSTRAINT notes_pk TO notes_pkey;
