-- add-check: a CHECK on released columns, by ADD CONSTRAINT (SQLite 3.53) or by a rebuild; a CHECK on a new column only sees NULLs in old rows.
-- file: 0001_init.sql
CREATE TABLE orders (id INTEGER PRIMARY KEY, quantity INTEGER, status TEXT);
-- file: 0002_add.sql
ALTER TABLE orders ADD CONSTRAINT quantity_positive CHECK (quantity > 0);
-- file: 0003_rebuild.sql
CREATE TABLE orders_new (id INTEGER PRIMARY KEY, quantity INTEGER, status TEXT CHECK (status IN ('open', 'paid')), CONSTRAINT quantity_positive CHECK (quantity > 0));
INSERT INTO orders_new SELECT * FROM orders;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
-- file: 0004_new_column.sql
ALTER TABLE orders ADD COLUMN discount INTEGER CHECK (discount BETWEEN 0 AND 100);
