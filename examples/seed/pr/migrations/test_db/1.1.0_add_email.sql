-- The example pull request: a schema change for test_db (DDL), reviewed before it reaches Prod.
ALTER TABLE t1 ADD COLUMN email VARCHAR(100) NULL;
CREATE INDEX idx_t1_email ON t1 (email);
