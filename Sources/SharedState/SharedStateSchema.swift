import Logging
import PostgresNIO

/// The tables Switchboard keeps in the shared database, created and migrated by Switchboard
/// itself. `switchboard_schema` holds the version; each migration runs once, in a transaction,
/// under an advisory lock so that replicas starting together do not race.
enum SharedStateSchema {
    /// The newest version this binary knows.
    static var latestVersion: Int { migrations.count }

    /// The channel every change is announced on. Payloads carry a kind, the replica and a row
    /// reference, never the row itself: NOTIFY payloads are limited to 8000 bytes.
    static let channel = "switchboard_changes"

    /// An arbitrary, fixed key for `pg_advisory_xact_lock`.
    static let migrationLock: Int64 = 0x5357_4254_4348_0001

    /// Migration `n` (1-based) brings the schema from version `n - 1` to `n`.
    static let migrations: [[PostgresQuery]] = [
        [
            """
            CREATE TABLE switchboard_cache_entries (
                id bigserial PRIMARY KEY,
                uid text NOT NULL UNIQUE,
                replica text NOT NULL,
                tenant text NOT NULL,
                model text NOT NULL,
                system_hash bigint NOT NULL,
                history_hash bigint NOT NULL,
                temperature double precision,
                top_p double precision,
                max_tokens integer,
                stop text[] NOT NULL,
                normalized text NOT NULL,
                prompt text NOT NULL,
                answer text NOT NULL,
                prompt_tokens integer NOT NULL,
                completion_tokens integer NOT NULL,
                provider text NOT NULL,
                answer_model text NOT NULL,
                embedder text NOT NULL,
                embedding bytea NOT NULL,
                created_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX switchboard_cache_entries_expiry ON switchboard_cache_entries (expires_at)",
            """
            CREATE TABLE switchboard_invalidations (
                id bigserial PRIMARY KEY,
                uid text NOT NULL UNIQUE,
                replica text NOT NULL,
                tenant text,
                model text,
                at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE switchboard_overrides (
                provider text PRIMARY KEY,
                override text NOT NULL,
                set_by text NOT NULL,
                set_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE switchboard_replicas (
                replica text PRIMARY KEY,
                started_at timestamptz NOT NULL,
                last_seen timestamptz NOT NULL
            )
            """,
        ],
        // Version 2: answers' detail (tool calls, several choices, log probabilities…) as JSON
        // text, null for plain text answers. history_hash now holds the whole context hash.
        [
            "ALTER TABLE switchboard_cache_entries ADD COLUMN answer_detail text",
        ],
        // Version 3: tenants' spend, per UTC day (`d:N`) and month (`m:N`), summed over the fleet.
        [
            """
            CREATE TABLE switchboard_tenant_spend (
                tenant text NOT NULL,
                period text NOT NULL,
                spent_usd double precision NOT NULL,
                PRIMARY KEY (tenant, period)
            )
            """,
        ],
        // Version 4: the fleet's per-minute windows (what replicas leased of each tenant's
        // requests `r` and tokens `t` per UTC minute), and tenants' limits as operators set them.
        [
            """
            CREATE TABLE switchboard_tenant_windows (
                tenant text NOT NULL,
                kind text NOT NULL,
                minute bigint NOT NULL,
                granted double precision NOT NULL,
                PRIMARY KEY (tenant, kind, minute)
            )
            """,
            """
            CREATE TABLE switchboard_tenant_limits (
                tenant text PRIMARY KEY,
                limits text NOT NULL,
                set_by text NOT NULL,
                set_at timestamptz NOT NULL
            )
            """,
        ],
    ]

    /// Brings the database to ``latestVersion``; returns the version found before.
    ///
    /// - Throws: ``SharedStateError`` `schemaTooNew` when a newer Switchboard already migrated it.
    static func migrate(_ client: PostgresClient, location: String, logger: Logger) async throws -> Int {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS switchboard_schema (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), version integer NOT NULL)",
                logger: logger
            )
            var found = 0
            for try await version in try await connection.query("SELECT version FROM switchboard_schema", logger: logger).decode(Int.self) {
                found = version
            }
            guard found <= latestVersion else {
                throw SharedStateError(
                    .schemaTooNew,
                    "\(location): the shared-state schema is at version \(found), but this Switchboard knows versions up to \(latestVersion); upgrade this replica to the release the rest of the fleet runs"
                )
            }
            for version in (found + 1)...max(found + 1, latestVersion) where version <= latestVersion {
                for statement in migrations[version - 1] {
                    try await connection.query(statement, logger: logger)
                }
                try await connection.query(
                    "INSERT INTO switchboard_schema (only_row, version) VALUES (true, \(version)) ON CONFLICT (only_row) DO UPDATE SET version = EXCLUDED.version",
                    logger: logger
                )
                logger.info("shared state: schema migrated to version \(version)", metadata: ["database": "\(location)"])
            }
            return found
        }
    }
}
