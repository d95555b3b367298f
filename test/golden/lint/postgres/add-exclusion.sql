-- add-exclusion: an EXCLUDE constraint on released columns builds under ACCESS EXCLUSIVE; on a new table it is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');
CREATE TABLE bookings (id bigint PRIMARY KEY, room int, during tstzrange);
-- file: 0002_exclude.sql
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&);
-- file: 0003_new_table.sql
CREATE TABLE rentals (id bigint PRIMARY KEY, during tstzrange);
ALTER TABLE rentals ADD CONSTRAINT rentals_no_overlap EXCLUDE USING gist (during WITH &&);
