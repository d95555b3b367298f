-- change-default: SET DEFAULT on a column that already had another default, or a MODIFY that changes it; a first default is an expand change.
-- file: 0001_init.sql
CREATE TABLE tickets (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL DEFAULT 'open', priority INT NOT NULL, owner VARCHAR(50));
-- file: 0002_change.sql
ALTER TABLE tickets ALTER COLUMN status SET DEFAULT 'new';
ALTER TABLE tickets MODIFY priority INT NOT NULL DEFAULT 3;
ALTER TABLE tickets MODIFY priority INT NOT NULL DEFAULT 5;
-- file: 0003_first_default.sql
ALTER TABLE tickets ALTER COLUMN owner SET DEFAULT 'nobody';
