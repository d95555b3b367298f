-- alter-sequence: restarting or changing a released sequence, or setval(); OWNED BY and new sequences are fine.
-- file: 0001_init.sql
CREATE SEQUENCE invoice_number START 1000;
CREATE TABLE invoices (id bigserial PRIMARY KEY, number bigint DEFAULT nextval('invoice_number'));
-- file: 0002_change.sql
ALTER SEQUENCE invoice_number RESTART WITH 5000 INCREMENT BY 10;
SELECT setval('invoices_id_seq', (SELECT max(id) FROM invoices));
-- file: 0003_safe.sql
ALTER SEQUENCE invoice_number OWNED BY invoices.number;
CREATE SEQUENCE ticket_number;
ALTER SEQUENCE ticket_number RESTART WITH 10;
