-- alter-column-type: MODIFY to another type; VARCHAR growth that keeps the length prefix (<= 63 characters, or already > 255) is exempt.
-- file: 0001_init.sql
CREATE TABLE products (id INT PRIMARY KEY, price INT NOT NULL, sku VARCHAR(20) NOT NULL, description VARCHAR(300), title VARCHAR(100) NOT NULL);
-- file: 0002_retype.sql
ALTER TABLE products MODIFY price BIGINT NOT NULL;
ALTER TABLE products MODIFY title VARCHAR(200) NOT NULL;
-- file: 0003_widen.sql
ALTER TABLE products MODIFY sku VARCHAR(40) NOT NULL;
ALTER TABLE products MODIFY description VARCHAR(1000);
