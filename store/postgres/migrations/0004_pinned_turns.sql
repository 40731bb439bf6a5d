-- Pinned turns: a turn whose adapter replies only through the connections of
-- the replica that accepted it (the web chat) is owned by that replica from
-- its acceptance and run there once it leases the conversation; the replica
-- holding the conversation meanwhile does not claim it while its owner
-- lives. The first claim under the conversation's lease unpins it.
ALTER TABLE pending_turns ADD COLUMN pinned boolean NOT NULL DEFAULT false;
