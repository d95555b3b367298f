-- alter-sequence: writing sqlite_sequence moves the AUTOINCREMENT counters; plain inserts do not.
-- file: 0001_init.sql
CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, total INTEGER);
-- file: 0002_restart.sql
UPDATE sqlite_sequence SET seq = 100000 WHERE name = 'orders';
-- file: 0003_insert.sql
INSERT INTO orders (total) VALUES (0);
