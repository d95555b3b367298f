-- add-check: an enforced CHECK on a released table; NOT ENFORCED, or a check on a new table, is fine.
-- file: 0001_init.sql
CREATE TABLE products (id INT PRIMARY KEY, price INT NOT NULL, stock INT NOT NULL);
-- file: 0002_check.sql
ALTER TABLE products ADD CONSTRAINT products_price_ck CHECK (price >= 0);
-- file: 0003_safe.sql
ALTER TABLE products ADD CONSTRAINT products_stock_ck CHECK (stock >= 0) NOT ENFORCED;
CREATE TABLE coupons (id INT PRIMARY KEY, pct INT, CONSTRAINT coupons_pct_ck CHECK (pct BETWEEN 0 AND 100));
