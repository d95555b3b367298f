-- rename-table: RENAME TABLE and ALTER TABLE ... RENAME of a released table; a view under the old name in the same file is the accepted shim.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255));
CREATE TABLE orders (id INT PRIMARY KEY);
CREATE TABLE carts (id INT PRIMARY KEY);
-- file: 0002_rename.sql
RENAME TABLE users TO accounts;
ALTER TABLE orders RENAME TO purchases;
-- file: 0003_rename_with_view.sql
ALTER TABLE carts RENAME TO baskets;
CREATE VIEW carts AS SELECT * FROM baskets;
-- file: 0004_fresh.sql
CREATE TABLE tmp_import (id INT PRIMARY KEY);
RENAME TABLE tmp_import TO imports;
