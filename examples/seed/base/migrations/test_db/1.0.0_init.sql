-- The seed scenario's starting schema.
CREATE TABLE t1 (
  id INT PRIMARY KEY,
  name VARCHAR(20) NOT NULL
);
INSERT INTO t1 (id, name) VALUES (1, 'alpha'), (2, 'beta');
