"""Versioned schema migrations. Append only: a released migration is never edited, a new one is added.

`PRAGMA user_version` (SQLite) holds how many have been applied; in PostgreSQL, the rows of `merci_schema`
(one per migration applied, see server/store/postgres.py).
"""

SQLITE_MIGRATIONS: list[str] = [
    # 1: accounts, devices, the append-only event log
    """
    CREATE TABLE accounts (
        id            TEXT PRIMARY KEY,
        email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        erasing       INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE devices (
        id           TEXT PRIMARY KEY,
        account_id   TEXT NOT NULL REFERENCES accounts (id),
        name         TEXT NOT NULL,
        token_hash   BLOB NOT NULL UNIQUE,
        created_at   TEXT NOT NULL,
        last_seen_at TEXT
    );
    CREATE INDEX devices_by_account ON devices (account_id);
    CREATE TABLE events (
        account_id  TEXT NOT NULL REFERENCES accounts (id),
        seq         INTEGER NOT NULL,
        id          TEXT NOT NULL,
        type        TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        device      TEXT,
        body        BLOB NOT NULL,
        PRIMARY KEY (account_id, seq),
        UNIQUE (account_id, id)
    ) WITHOUT ROWID;
    CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
    BEGIN
        SELECT RAISE(ABORT, 'the event log is append-only: events are never updated');
    END;
    CREATE TRIGGER events_are_deleted_only_with_their_account BEFORE DELETE ON events
    WHEN (SELECT erasing FROM accounts WHERE id = OLD.account_id) IS NOT 1
    BEGIN
        SELECT RAISE(ABORT, 'the event log is append-only: only erasing a whole account deletes events');
    END;
    """,
    # 2: web push: each device's subscription with its delivery log, and each account's daily digest claim
    """
    CREATE TABLE push_subscriptions (
        id              TEXT PRIMARY KEY,
        account_id      TEXT NOT NULL REFERENCES accounts (id),
        device_id       TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        endpoint        TEXT NOT NULL UNIQUE,
        p256dh          TEXT NOT NULL,
        auth            TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        last_sent_at    TEXT,
        last_digest_day TEXT,
        last_failure_at TEXT,
        last_failure    TEXT
    );
    CREATE INDEX push_subscriptions_by_account ON push_subscriptions (account_id);
    CREATE INDEX push_subscriptions_by_device ON push_subscriptions (device_id);
    CREATE TABLE push_dispatches (
        account_id  TEXT NOT NULL REFERENCES accounts (id),
        day         TEXT NOT NULL,
        claimed_by  TEXT NOT NULL,
        claimed_at  TEXT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'claimed',
        items       INTEGER,
        finished_at TEXT,
        PRIMARY KEY (account_id, day)
    ) WITHOUT ROWID;
    """,
    # 3: `INSERT OR REPLACE` (and `REPLACE`) would replace a stored event by deleting it first, and that delete
    # fires no DELETE trigger while recursive triggers are off (the default): refuse any insert that meets a
    # stored (account, seq) or (account, id) before the conflict is resolved at all.
    """
    CREATE TRIGGER events_are_never_replaced BEFORE INSERT ON events
    WHEN EXISTS (SELECT 1 FROM events WHERE account_id = NEW.account_id AND seq = NEW.seq)
      OR EXISTS (SELECT 1 FROM events WHERE account_id = NEW.account_id AND id = NEW.id)
    BEGIN
        SELECT RAISE(ABORT, 'the event log is append-only: a stored event is never replaced');
    END;
    """,
    # 4: calendar feeds: each account's private .ics url, kept as the nonce it is derived from and its hash
    """
    CREATE TABLE calendar_feeds (
        account_id  TEXT PRIMARY KEY REFERENCES accounts (id),
        nonce       BLOB NOT NULL,
        secret_hash BLOB NOT NULL UNIQUE,
        created_at  TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 5: coach links: a secret url's SHA-256 only (the secret holds 256 random bits, so a plain hash makes a leaked
    # table useless); revoking deletes the row, erasing the account deletes them all
    """
    CREATE TABLE shares (
        id             TEXT PRIMARY KEY,
        account_id     TEXT NOT NULL REFERENCES accounts (id),
        label          TEXT NOT NULL,
        scope          TEXT NOT NULL,
        secret_hash    BLOB NOT NULL UNIQUE,
        created_at     TEXT NOT NULL,
        expires_at     TEXT NOT NULL,
        last_opened_at TEXT
    );
    CREATE INDEX shares_by_account ON shares (account_id);
    """,
]

POSTGRES_MIGRATIONS: list[str] = [
    # 1: accounts, devices, the append-only event log (the database refuses to update or delete events,
    # and to truncate them, except for the rows of an account being erased)
    """
    CREATE TABLE accounts (
        id            text PRIMARY KEY,
        email         text NOT NULL,
        password_hash text NOT NULL,
        created_at    timestamptz NOT NULL,
        erasing       boolean NOT NULL DEFAULT false
    );
    CREATE UNIQUE INDEX accounts_by_email ON accounts (lower(email));
    CREATE TABLE devices (
        id           text PRIMARY KEY,
        account_id   text NOT NULL REFERENCES accounts (id),
        name         text NOT NULL,
        token_hash   bytea NOT NULL UNIQUE,
        created_at   timestamptz NOT NULL,
        last_seen_at timestamptz,
        added        bigint GENERATED ALWAYS AS IDENTITY  -- insertion order: breaks ties of created_at
    );
    CREATE INDEX devices_by_account ON devices (account_id);
    CREATE TABLE events (
        account_id  text NOT NULL REFERENCES accounts (id),
        seq         bigint NOT NULL,
        id          text NOT NULL,
        type        text NOT NULL,
        recorded_at timestamptz NOT NULL,
        device      text,
        body        bytea NOT NULL,
        PRIMARY KEY (account_id, seq),
        UNIQUE (account_id, id)
    );
    CREATE FUNCTION events_are_never_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the event log is append-only: events are never updated'
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$;
    CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
        FOR EACH ROW EXECUTE FUNCTION events_are_never_updated();
    CREATE FUNCTION events_are_deleted_only_with_their_account() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (SELECT erasing FROM accounts WHERE id = OLD.account_id) IS NOT TRUE THEN
            RAISE EXCEPTION 'the event log is append-only: only erasing a whole account deletes events'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END
    $$;
    CREATE TRIGGER events_are_deleted_only_with_their_account BEFORE DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION events_are_deleted_only_with_their_account();
    CREATE FUNCTION events_are_never_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the event log is append-only: only erasing a whole account deletes events'
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$;
    CREATE TRIGGER events_are_never_truncated BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION events_are_never_truncated();
    """,
    # 2: web push: each device's subscription with its delivery log, and each account's daily digest claim
    """
    CREATE TABLE push_subscriptions (
        id              text PRIMARY KEY,
        account_id      text NOT NULL REFERENCES accounts (id),
        device_id       text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        endpoint        text NOT NULL UNIQUE,
        p256dh          text NOT NULL,
        auth            text NOT NULL,
        created_at      timestamptz NOT NULL,
        last_sent_at    timestamptz,
        last_digest_day date,
        last_failure_at timestamptz,
        last_failure    text,
        added           bigint GENERATED ALWAYS AS IDENTITY  -- insertion order: breaks ties of created_at
    );
    CREATE INDEX push_subscriptions_by_account ON push_subscriptions (account_id);
    CREATE INDEX push_subscriptions_by_device ON push_subscriptions (device_id);
    CREATE TABLE push_dispatches (
        account_id  text NOT NULL REFERENCES accounts (id),
        day         date NOT NULL,
        claimed_by  text NOT NULL,
        claimed_at  timestamptz NOT NULL,
        status      text NOT NULL DEFAULT 'claimed',
        items       integer,
        finished_at timestamptz,
        PRIMARY KEY (account_id, day)
    );
    """,
    # 3: calendar feeds: each account's private .ics url, kept as the nonce it is derived from and its hash
    """
    CREATE TABLE calendar_feeds (
        account_id  text PRIMARY KEY REFERENCES accounts (id),
        nonce       bytea NOT NULL,
        secret_hash bytea NOT NULL UNIQUE,
        created_at  timestamptz NOT NULL
    );
    """,
    # 4: coach links: a secret url's SHA-256 only (the secret holds 256 random bits, so a plain hash makes a leaked
    # table useless); revoking deletes the row, erasing the account deletes them all
    """
    CREATE TABLE shares (
        id             text PRIMARY KEY,
        account_id     text NOT NULL REFERENCES accounts (id),
        label          text NOT NULL,
        scope          text NOT NULL,
        secret_hash    bytea NOT NULL UNIQUE,
        created_at     timestamptz NOT NULL,
        expires_at     timestamptz NOT NULL,
        last_opened_at timestamptz,
        added          bigint GENERATED ALWAYS AS IDENTITY  -- insertion order: breaks ties of created_at
    );
    CREATE INDEX shares_by_account ON shares (account_id);
    """,
]

