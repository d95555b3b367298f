-- drop-constraint: dropping a released foreign key, check or primary key; dropping one added in the same file is fine.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY);
CREATE TABLE orders (id INT NOT NULL, user_id INT, qty INT, PRIMARY KEY (id), CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id), CONSTRAINT orders_qty_ck CHECK (qty > 0));
-- file: 0002_drop.sql
ALTER TABLE orders DROP FOREIGN KEY orders_user_fk;
ALTER TABLE orders DROP CHECK orders_qty_ck;
ALTER TABLE orders DROP PRIMARY KEY;
-- file: 0003_fresh.sql
ALTER TABLE orders ADD CONSTRAINT orders_qty_min CHECK (qty >= 0) NOT ENFORCED;
ALTER TABLE orders DROP CONSTRAINT orders_qty_min;
