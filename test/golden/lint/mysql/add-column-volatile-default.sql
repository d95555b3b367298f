-- add-column-volatile-default: an expression default DEFAULT (expr) copies the table on MySQL; literal defaults and CURRENT_TIMESTAMP do not.
-- file: 0001_init.sql
CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2));
-- file: 0002_expression_default.sql
ALTER TABLE orders ADD COLUMN public_id CHAR(36) NOT NULL DEFAULT (UUID());
-- file: 0003_safe.sql
ALTER TABLE orders ADD COLUMN created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE orders ADD COLUMN currency CHAR(3) NOT NULL DEFAULT 'EUR';
