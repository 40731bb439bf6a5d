-- Version 1 only marks a database as imbot's; the tables follow in later versions.
COMMENT ON TABLE schema_migrations IS 'imbot schema versions, applied by imbot migrate';
