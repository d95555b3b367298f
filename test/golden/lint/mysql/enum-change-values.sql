-- enum-change-values: removing, renaming, reordering or inserting ENUM values in the middle; on a new table it is fine.
-- file: 0001_init.sql
CREATE TABLE orders (id INT PRIMARY KEY, status ENUM('new', 'paid', 'shipped') NOT NULL DEFAULT 'new', channel ENUM('web', 'app') NOT NULL, kind ENUM('a', 'b') NOT NULL);
-- file: 0002_change.sql
ALTER TABLE orders MODIFY status ENUM('new', 'shipped') NOT NULL DEFAULT 'new';
ALTER TABLE orders MODIFY channel ENUM('app', 'web') NOT NULL;
ALTER TABLE orders MODIFY kind ENUM('a', 'x', 'b') NOT NULL;
-- file: 0003_fresh.sql
CREATE TABLE refunds (id INT PRIMARY KEY, state ENUM('open', 'closed') NOT NULL);
ALTER TABLE refunds MODIFY state ENUM('closed', 'open') NOT NULL;
