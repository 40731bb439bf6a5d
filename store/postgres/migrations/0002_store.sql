-- The store: every record the bbolt file keeps, shared by the replicas.
--
-- Identifiers (dedup keys, conversation keys, platform, user and chat ids,
-- names) are bytea: they are opaque bytes that may hold NUL separators, as
-- bbolt keys do. Each record's payload is the same versioned binary encoding
-- the bbolt file uses (package store/record), so both backends read and
-- validate records alike; the columns beside it are what queries filter,
-- order and join on.

-- Dedup marks: a message's dedup keys, a duplicate until expires.
CREATE TABLE dedup_marks (
    key     bytea PRIMARY KEY,
    expires timestamptz NOT NULL
);
CREATE INDEX dedup_marks_expires ON dedup_marks (expires);

-- Pending turns: accepted messages not answered yet, in acceptance order
-- (seq). record holds the envelope, the kept answer and the reply ref. owner
-- and lease_until name the replica running the turn and until when; NULL
-- when no replica has claimed it.
CREATE TABLE pending_turns (
    key          bytea PRIMARY KEY,
    seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    conversation bytea NOT NULL,
    platform     bytea NOT NULL,
    user_id      bytea NOT NULL,
    accepted_at  timestamptz NOT NULL,
    record       bytea NOT NULL,
    owner        text,
    lease_until  timestamptz
);
CREATE INDEX pending_turns_conversation ON pending_turns (conversation, seq);

-- Conversations and their history; next_seq numbers a conversation's
-- messages, and its row lock orders concurrent appends.
CREATE TABLE conversations (
    conversation bytea PRIMARY KEY,
    created      timestamptz NOT NULL,
    last_used    timestamptz NOT NULL,
    next_seq     bigint NOT NULL DEFAULT 1
);
CREATE INDEX conversations_last_used ON conversations (last_used);

CREATE TABLE messages (
    conversation bytea NOT NULL REFERENCES conversations ON DELETE CASCADE,
    seq          bigint NOT NULL,
    user_id      bytea NOT NULL,
    record       bytea NOT NULL,
    PRIMARY KEY (conversation, seq)
);
CREATE INDEX messages_user ON messages (user_id);

-- Small per-adapter positions such as the Telegram update offset.
CREATE TABLE cursors (
    name  bytea PRIMARY KEY,
    value bytea NOT NULL
);

-- The bot's reply messages, remembered until expires.
CREATE TABLE bot_messages (
    key     bytea PRIMARY KEY,
    expires timestamptz NOT NULL
);
CREATE INDEX bot_messages_expires ON bot_messages (expires);

-- Conversation states (multi-turn forms of interceptors).
CREATE TABLE conversation_states (
    conversation bytea PRIMARY KEY,
    record       bytea NOT NULL
);

-- Turn records, for feedback and experiments.
CREATE TABLE turn_records (
    key          bytea PRIMARY KEY,
    conversation bytea NOT NULL,
    platform     bytea NOT NULL,
    user_id      bytea NOT NULL,
    at           timestamptz NOT NULL,
    record       bytea NOT NULL
);
CREATE INDEX turn_records_at ON turn_records (at);

-- Each web user's list of conversations.
CREATE TABLE chat_lists (
    platform bytea NOT NULL,
    user_id  bytea NOT NULL,
    chat     bytea NOT NULL,
    record   bytea NOT NULL,
    PRIMARY KEY (platform, user_id, chat)
);

-- Questions no tier answered well, for the knowledge base's owner.
CREATE TABLE unanswered (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL,
    platform     bytea NOT NULL,
    user_id      bytea NOT NULL,
    conversation bytea NOT NULL,
    record       bytea NOT NULL
);
CREATE INDEX unanswered_at ON unanswered (at, id);

-- Token usage per key and day, shared by the replicas.
CREATE TABLE usage_counters (
    day    date NOT NULL,
    key    bytea NOT NULL,
    tokens bigint NOT NULL,
    PRIMARY KEY (day, key)
);

-- Cached embedding vectors.
CREATE TABLE vectors (
    key    bytea PRIMARY KEY,
    used   timestamptz NOT NULL,
    record bytea NOT NULL
);
