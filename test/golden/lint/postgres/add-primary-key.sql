-- add-primary-key: a primary key built on released columns; USING INDEX on NOT NULL columns only takes a short lock, on nullable ones it sets NOT NULL.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');
CREATE TABLE events (id bigint NOT NULL, kind text);
CREATE TABLE logs (id bigint, line text);
CREATE TABLE visits (id bigint, path text);
-- file: 0002_pk.sql
ALTER TABLE logs ADD PRIMARY KEY (id);
-- file: 0003_index.sql
CREATE UNIQUE INDEX CONCURRENTLY events_id_key ON events (id);
-- file: 0004_using_index.sql
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_key;
-- file: 0005_nullable_using_index.sql
-- molt:phase contract
CREATE UNIQUE INDEX visits_id_key ON visits (id);
ALTER TABLE visits ADD CONSTRAINT visits_pkey PRIMARY KEY USING INDEX visits_id_key;
