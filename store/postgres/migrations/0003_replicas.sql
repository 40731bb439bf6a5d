-- Replica coordination: which replicas are alive, which replica runs each
-- conversation with queued turns, which one does the work only one may do
-- (Telegram long polling), and the knowledge base entries added while
-- running (/faq add), which every replica merges into its knowledge base.
-- Every lease ends at lease_until by the database's clock; its owner renews
-- it a few times per lease.

CREATE TABLE replicas (
    id      text PRIMARY KEY,
    started timestamptz NOT NULL,
    seen    timestamptz NOT NULL
);

-- A conversation is run by one replica at a time. conversation is encoded
-- as in pending_turns.
CREATE TABLE conversation_leases (
    conversation bytea PRIMARY KEY,
    owner        text NOT NULL,
    lease_until  timestamptz NOT NULL
);
CREATE INDEX conversation_leases_owner ON conversation_leases (owner);

-- Work only one replica may do, by name ("telegram-poll").
CREATE TABLE leader_leases (
    name        text PRIMARY KEY,
    owner       text NOT NULL,
    lease_until timestamptz NOT NULL
);

-- Renewing and taking over pending turns look them up by owner.
CREATE INDEX pending_turns_owner ON pending_turns (owner);

-- Knowledge base entries added with /faq add: the JSON of one core/faq
-- Entry each, merged into the knowledge base file's entries on every
-- replica.
CREATE TABLE faq_entries (
    id    text PRIMARY KEY,
    added timestamptz NOT NULL,
    entry jsonb NOT NULL
);
