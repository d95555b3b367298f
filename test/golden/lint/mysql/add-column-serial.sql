-- add-column-serial: adding an AUTO_INCREMENT column numbers every row of a released table; on a new table it is free.
-- file: 0001_init.sql
CREATE TABLE events (name VARCHAR(50) NOT NULL, payload JSON);
-- file: 0002_serial.sql
ALTER TABLE events ADD COLUMN id BIGINT NOT NULL AUTO_INCREMENT, ADD KEY events_id_idx (id);
-- file: 0003_fresh.sql
CREATE TABLE jobs (name VARCHAR(50) NOT NULL);
ALTER TABLE jobs ADD COLUMN id BIGINT NOT NULL AUTO_INCREMENT, ADD KEY jobs_id_idx (id);
