CREATE TABLE quotes (id INT PRIMARY KEY, txt VARCHAR(100), `we;ird``col` INT);
INSERT INTO quotes (id, txt) VALUES (1, 'it\'s; here');
INSERT INTO quotes (id, txt) VALUES (2, "say \"hi; there\"");
INSERT INTO quotes (id, txt) VALUES (3, 'ends in a backslash\\');
INSERT INTO quotes (id, txt) VALUES (4, 'doubled '' quote; ok');
UPDATE quotes SET `we;ird``col` = 7 WHERE txt LIKE "%;%";
INSERT INTO quotes (id, txt) VALUES (5, 'multi
line; string')
