-- enum-add-value: appending to an ENUM is compatible but old readers may meet the new value (warning); restating the same list changes nothing.
-- file: 0001_init.sql
CREATE TABLE orders (id INT PRIMARY KEY, status ENUM('new', 'paid') NOT NULL DEFAULT 'new', flags SET('gift', 'rush'));
-- file: 0002_append.sql
ALTER TABLE orders MODIFY status ENUM('new', 'paid', 'shipped') NOT NULL DEFAULT 'new';
ALTER TABLE orders MODIFY flags SET('gift', 'rush', 'fragile');
-- file: 0003_restate.sql
ALTER TABLE orders MODIFY status ENUM('new', 'paid', 'shipped') NOT NULL DEFAULT 'new';
