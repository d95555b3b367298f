-- add-column-required: NOT NULL without a default on a released table; a constant default or a nullable column is an expand change.
-- file: 0001_init.sql
CREATE TABLE accounts (id INT PRIMARY KEY, name VARCHAR(100));
-- file: 0002_required.sql
ALTER TABLE accounts ADD COLUMN plan VARCHAR(20) NOT NULL;
-- file: 0003_safe.sql
ALTER TABLE accounts ADD COLUMN tier VARCHAR(20) NOT NULL DEFAULT 'free';
ALTER TABLE accounts ADD COLUMN referrer VARCHAR(100);
