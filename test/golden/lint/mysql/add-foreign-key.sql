-- add-foreign-key: a validated foreign key on released columns; a key on a column added in the same file, or in CREATE TABLE, is not checked against old rows.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY);
CREATE TABLE orders (id INT PRIMARY KEY, user_id INT);
-- file: 0002_fk.sql
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
-- file: 0003_fresh_column.sql
ALTER TABLE orders ADD COLUMN buyer_id INT, ADD CONSTRAINT orders_buyer_fk FOREIGN KEY (buyer_id) REFERENCES users (id);
CREATE TABLE invoices (id INT PRIMARY KEY, order_id INT, FOREIGN KEY (order_id) REFERENCES orders (id));
