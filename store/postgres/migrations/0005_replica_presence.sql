-- One process per replica id. The replicas row of an id names the process
-- running under it: instance is a random token the process chose at its
-- start, host and pid say where it runs, started is when it took the id.
-- It holds the id until lease_until by the database's clock and renews it
-- with its other leases. A process that starts with an id another live
-- process holds waits about a lease for it to expire, then refuses to
-- start; a process whose renewal finds its id taken over stops. A row
-- written by a release without these columns holds nothing: its
-- lease_until is -infinity.
ALTER TABLE replicas
    ADD COLUMN instance    text        NOT NULL DEFAULT '',
    ADD COLUMN host        text        NOT NULL DEFAULT '',
    ADD COLUMN pid         integer     NOT NULL DEFAULT 0,
    ADD COLUMN lease_until timestamptz NOT NULL DEFAULT '-infinity';
