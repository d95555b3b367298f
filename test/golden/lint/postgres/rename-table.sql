-- rename-table: renaming or moving a released table; a rename followed by a view under the old name, and renames of new tables, are fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');
CREATE SCHEMA archive;
-- file: 0002_rename.sql
ALTER TABLE orders RENAME TO purchases;
-- file: 0003_move.sql
ALTER TABLE purchases SET SCHEMA archive;
-- file: 0004_shim.sql
ALTER TABLE users RENAME TO accounts;
CREATE VIEW users AS SELECT * FROM accounts;
-- file: 0005_new.sql
CREATE TABLE drafts (id int);
ALTER TABLE drafts RENAME TO notes;
