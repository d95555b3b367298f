-- drop-sequence (MariaDB): dropping a sequence the previous release calls NEXT VALUE FOR on is contract.
-- file: 0001_setup.sql
CREATE SEQUENCE invoice_numbers START WITH 1000;
-- file: 0002_drop.sql
DROP SEQUENCE invoice_numbers;
-- file: 0003_contract.sql
-- molt:phase contract
DROP SEQUENCE IF EXISTS invoice_numbers;
-- file: 0004_fresh.sql
CREATE SEQUENCE scratch_numbers;
DROP SEQUENCE scratch_numbers;
