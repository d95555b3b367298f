-- molt:allow scope: above a statement it covers that statement only; in the top block, the whole file.
-- file: 0001_setup.sql
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, status text);
-- file: 0002_statement_scope.sql
ALTER TABLE orders ADD COLUMN note text;
-- molt:allow index-not-concurrent -- orders is small
CREATE INDEX orders_user_idx ON orders (user_id);
CREATE INDEX orders_status_idx ON orders (status);
-- file: 0003_file_scope.sql
-- molt:allow index-not-concurrent -- orders is small

CREATE INDEX orders_a_idx ON orders (user_id, status);
CREATE INDEX orders_b_idx ON orders (status, user_id);
-- file: 0004_block_comment.sql
SELECT 1;
/* molt:allow drop-column */
ALTER TABLE orders DROP COLUMN status;
