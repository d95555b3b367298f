-- add-primary-key: ADD PRIMARY KEY on a released table rebuilds it and rejects duplicates; on a new table it is fine.
-- file: 0001_init.sql
CREATE TABLE legacy_events (id BIGINT NOT NULL, name VARCHAR(50));
-- file: 0002_pk.sql
ALTER TABLE legacy_events ADD PRIMARY KEY (id);
-- file: 0003_fresh.sql
CREATE TABLE new_events (id BIGINT NOT NULL, name VARCHAR(50));
ALTER TABLE new_events ADD PRIMARY KEY (id);
