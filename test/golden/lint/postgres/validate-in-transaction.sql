-- validate-in-transaction: VALIDATE in the transaction that added the constraint NOT VALID holds the lock during the scan; a later file is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_same_file.sql
-- molt:phase contract
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;
-- file: 0003_not_valid.sql
-- molt:phase contract
ALTER TABLE users ADD CONSTRAINT users_age_positive CHECK (age >= 0) NOT VALID;
-- file: 0004_validate.sql
ALTER TABLE users VALIDATE CONSTRAINT users_age_positive;
