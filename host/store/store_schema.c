/* The schema and its migrations (PRAGMA user_version is the number of
 * migrations applied). Names of CHECK constraints appear in SQLite's
 * refusals, so they say what was wrong. */
#include <errno.h>
#include <stdio.h>

#include "store_internal.h"

const struct store_migration store_migrations[] = {
    {"clients, cuids, mitigations and the audit log",
     "PRAGMA application_id = 1396920898;\n" /* STORE_APPLICATION_ID */
     "CREATE TABLE client (\n"
     "  identity TEXT PRIMARY KEY NOT NULL CONSTRAINT client_identity_empty CHECK (identity <> ''),\n"
     "  profile TEXT NOT NULL CONSTRAINT client_profile_empty CHECK (profile <> ''),\n"
     "  quota_mitigations INTEGER NOT NULL,\n"
     "  quota_acl_entries INTEGER NOT NULL,\n"
     "  quota_source_entries INTEGER NOT NULL,\n"
     "  quota_aliases INTEGER NOT NULL,\n"
     "  quota_sessions INTEGER NOT NULL,\n"
     "  created_at INTEGER NOT NULL\n"
     ") STRICT;\n"
     "CREATE TABLE client_prefix (\n"
     "  identity TEXT NOT NULL REFERENCES client(identity) ON DELETE CASCADE,\n"
     "  prefix TEXT NOT NULL,\n"
     "  PRIMARY KEY (identity, prefix)\n"
     ") STRICT, WITHOUT ROWID;\n"
     "CREATE TABLE cuid (\n"
     "  cuid TEXT PRIMARY KEY NOT NULL CONSTRAINT cuid_empty CHECK (cuid <> ''),\n"
     "  identity TEXT NOT NULL CONSTRAINT cuid_identity_empty CHECK (identity <> ''),\n"
     "  claimed_at INTEGER NOT NULL,\n"
     "  UNIQUE (cuid, identity)\n"
     ") STRICT;\n"
     "CREATE TABLE mitigation (\n"
     "  cuid TEXT NOT NULL,\n"
     "  mid INTEGER NOT NULL CONSTRAINT mitigation_mid_range CHECK (mid BETWEEN 0 AND 4294967295),\n"
     "  identity TEXT NOT NULL,\n"
     "  cdid TEXT,\n"
     "  scope TEXT NOT NULL CONSTRAINT mitigation_scope_json CHECK (json_valid(scope)),\n"
     "  profile TEXT NOT NULL CONSTRAINT mitigation_profile_empty CHECK (profile <> ''),\n"
     "  lifetime INTEGER NOT NULL CONSTRAINT mitigation_lifetime CHECK (lifetime = -1 OR lifetime > 0),\n"
     "  status TEXT NOT NULL CONSTRAINT mitigation_status\n"
     "    CHECK (status IN ('requested', 'active', 'withdrawn', 'expired')),\n"
     "  created_at INTEGER NOT NULL,\n"
     "  triggered_at INTEGER,\n"
     "  expires_at INTEGER,\n"
     "  boot_id TEXT NOT NULL,\n"
     "  expires_boottime_ms INTEGER,\n"
     "  CONSTRAINT mitigation_expiry_iff_finite CHECK ((lifetime = -1) = (expires_at IS NULL)),\n"
     "  PRIMARY KEY (cuid, mid),\n"
     "  FOREIGN KEY (cuid, identity) REFERENCES cuid(cuid, identity)\n"
     ") STRICT;\n"
     "CREATE TABLE audit (\n"
     "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
     "  at_ms INTEGER NOT NULL,\n"
     "  who_kind TEXT NOT NULL CONSTRAINT audit_who_kind\n"
     "    CHECK (who_kind IN ('certificate', 'local-user', 'daemon')),\n"
     "  who TEXT NOT NULL,\n"
     "  channel TEXT NOT NULL CONSTRAINT audit_channel CHECK (channel IN ('signal', 'data', 'control', 'config')),\n"
     "  what TEXT NOT NULL,\n"
     "  result TEXT NOT NULL\n"
     ") STRICT;\n"
     "CREATE INDEX audit_at ON audit(at_ms);\n"},
    {"session configurations, data-channel ACLs and aliases, source-list entries",
     "CREATE TABLE session_config (\n"
     "  identity TEXT PRIMARY KEY NOT NULL CONSTRAINT session_config_identity_empty CHECK (identity <> ''),\n"
     "  sid INTEGER NOT NULL CONSTRAINT session_config_sid_range CHECK (sid BETWEEN 0 AND 4294967295),\n"
     "  body TEXT NOT NULL CONSTRAINT session_config_body_json CHECK (json_valid(body)),\n"
     "  updated_at INTEGER NOT NULL\n"
     ") STRICT;\n"
     "CREATE TABLE data_acl (\n"
     "  cuid TEXT NOT NULL REFERENCES cuid(cuid),\n"
     "  name TEXT NOT NULL CONSTRAINT data_acl_name_empty CHECK (name <> ''),\n"
     "  position INTEGER NOT NULL,\n"
     "  activation TEXT NOT NULL CONSTRAINT data_acl_activation\n"
     "    CHECK (activation IN ('activate-when-mitigating', 'immediate', 'deactivate')),\n"
     "  body TEXT NOT NULL CONSTRAINT data_acl_body_json CHECK (json_valid(body)),\n"
     "  expires_at INTEGER,\n"
     "  updated_at INTEGER NOT NULL,\n"
     "  PRIMARY KEY (cuid, name)\n"
     ") STRICT;\n"
     "CREATE TABLE data_alias (\n"
     "  cuid TEXT NOT NULL REFERENCES cuid(cuid),\n"
     "  name TEXT NOT NULL CONSTRAINT data_alias_name_empty CHECK (name <> ''),\n"
     "  body TEXT NOT NULL CONSTRAINT data_alias_body_json CHECK (json_valid(body)),\n"
     "  expires_at INTEGER,\n"
     "  updated_at INTEGER NOT NULL,\n"
     "  PRIMARY KEY (cuid, name)\n"
     ") STRICT;\n"
     "CREATE TABLE source_entry (\n"
     "  tenant TEXT NOT NULL CONSTRAINT source_entry_tenant_empty CHECK (tenant <> ''),\n"
     "  address TEXT NOT NULL,\n"
     "  action TEXT NOT NULL CONSTRAINT source_entry_action CHECK (action IN ('accept', 'drop', 'police')),\n"
     "  policer TEXT,\n"
     "  updated_at INTEGER NOT NULL,\n"
     "  CONSTRAINT source_entry_policer_iff_police CHECK ((action = 'police') = (policer IS NOT NULL)),\n"
     "  PRIMARY KEY (tenant, address)\n"
     ") STRICT;\n"},
    {"tenant ids of clients added at run time",
     "CREATE TABLE tenant_id (\n"
     "  identity TEXT PRIMARY KEY NOT NULL REFERENCES client(identity) ON DELETE CASCADE,\n"
     "  id INTEGER NOT NULL UNIQUE CONSTRAINT tenant_id_range CHECK (id BETWEEN 1 AND 65535)\n"
     ") STRICT;\n"},
    {"data-channel client registrations",
     "CREATE TABLE data_client (\n"
     "  cuid TEXT PRIMARY KEY NOT NULL,\n"
     "  identity TEXT NOT NULL,\n"
     "  registered_at INTEGER NOT NULL,\n"
     "  FOREIGN KEY (cuid, identity) REFERENCES cuid(cuid, identity)\n"
     ") STRICT;\n"},
    /* A withdrawn mitigation stays on the card until expires_at (RFC 9132
     * section 4.4.4's active-but-terminating period, status 'withdrawn');
     * the period it got is kept, so a client that asks again and withdraws
     * again gets twice as long. */
    {"the active-but-terminating period of mitigations",
     "ALTER TABLE mitigation ADD COLUMN terminating_s INTEGER NOT NULL DEFAULT 0\n"
     "  CONSTRAINT mitigation_terminating_s CHECK (terminating_s >= 0);\n"},
    /* A registration a server-domain gateway made for a client domain
     * (RFC 8783 section 7.1's cdid); NULL when it made none. */
    {"the client domain of data-channel registrations through a gateway",
     "ALTER TABLE data_client ADD COLUMN cdid TEXT CONSTRAINT data_client_cdid_empty CHECK (cdid <> '');\n"},
    /* A mitigation another DOTS client's newer request displaced (RFC 9132
     * section 4.4.1's conflict between clients of one domain, the tenant's
     * conflict-policy 'newest'): off the card, kept with the (cuid, mid)
     * that displaced it. One the operator made or last changed (scrubctl)
     * is no DOTS client's: by_operator. When the card last dropped its
     * traffic (last_drop_at, wall clock; 0: never seen), for its status
     * across a restart. SQLite cannot change a CHECK in place, so the table
     * is made again with the new status and copied. */
    {"mitigations displaced by another client's request; their last drop",
     "CREATE TABLE mitigation_next (\n"
     "  cuid TEXT NOT NULL,\n"
     "  mid INTEGER NOT NULL CONSTRAINT mitigation_mid_range CHECK (mid BETWEEN 0 AND 4294967295),\n"
     "  identity TEXT NOT NULL,\n"
     "  cdid TEXT,\n"
     "  scope TEXT NOT NULL CONSTRAINT mitigation_scope_json CHECK (json_valid(scope)),\n"
     "  profile TEXT NOT NULL CONSTRAINT mitigation_profile_empty CHECK (profile <> ''),\n"
     "  lifetime INTEGER NOT NULL CONSTRAINT mitigation_lifetime CHECK (lifetime = -1 OR lifetime > 0),\n"
     "  status TEXT NOT NULL CONSTRAINT mitigation_status\n"
     "    CHECK (status IN ('requested', 'active', 'withdrawn', 'expired', 'displaced')),\n"
     "  created_at INTEGER NOT NULL,\n"
     "  triggered_at INTEGER,\n"
     "  expires_at INTEGER,\n"
     "  boot_id TEXT NOT NULL,\n"
     "  expires_boottime_ms INTEGER,\n"
     "  terminating_s INTEGER NOT NULL DEFAULT 0 CONSTRAINT mitigation_terminating_s CHECK (terminating_s >= 0),\n"
     "  by_operator INTEGER NOT NULL DEFAULT 0 CONSTRAINT mitigation_by_operator CHECK (by_operator IN (0, 1)),\n"
     "  last_drop_at INTEGER NOT NULL DEFAULT 0 CONSTRAINT mitigation_last_drop_at CHECK (last_drop_at >= 0),\n"
     "  displaced_by TEXT,\n"
     "  displaced_by_mid INTEGER CONSTRAINT mitigation_displaced_by_mid_range\n"
     "    CHECK (displaced_by_mid BETWEEN 0 AND 4294967295),\n"
     "  CONSTRAINT mitigation_expiry_iff_finite CHECK ((lifetime = -1) = (expires_at IS NULL)),\n"
     "  CONSTRAINT mitigation_displaced_iff_by CHECK ((status = 'displaced') = (displaced_by IS NOT NULL)),\n"
     "  PRIMARY KEY (cuid, mid),\n"
     "  FOREIGN KEY (cuid, identity) REFERENCES cuid(cuid, identity)\n"
     ") STRICT;\n"
     "INSERT INTO mitigation_next (cuid, mid, identity, cdid, scope, profile, lifetime, status, created_at,\n"
     "  triggered_at, expires_at, boot_id, expires_boottime_ms, terminating_s)\n"
     "  SELECT cuid, mid, identity, cdid, scope, profile, lifetime, status, created_at, triggered_at, expires_at,\n"
     "  boot_id, expires_boottime_ms, terminating_s FROM mitigation;\n"
     "DROP TABLE mitigation;\n"
     "ALTER TABLE mitigation_next RENAME TO mitigation;\n"},
};
const int store_n_migrations = sizeof(store_migrations) / sizeof(store_migrations[0]);

int scrub_store_schema_version(void)
{
    return store_n_migrations;
}

static int read_int(struct scrub_store *s, const char *sql, int64_t *out, struct scrub_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_fail(s, err, sql);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return store_fail(s, err, sql);
    }
    *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return 0;
}

int store_check_version(struct scrub_store *s, int64_t *version, struct scrub_err *err)
{
    int64_t app_id, tables;
    if (read_int(s, "PRAGMA user_version", version, err) || read_int(s, "PRAGMA application_id", &app_id, err) ||
        read_int(s, "SELECT count(*) FROM sqlite_schema", &tables, err))
        return -1;
    if (*version > store_n_migrations)
        return store_refuse(s, err, EPROTO, "open",
                            "the database has schema version %lld, newer than this scrubd's version %d; "
                            "run a scrubd at least as new as the one that wrote it, or restore a backup",
                            (long long)*version, store_n_migrations);
    if (app_id != STORE_APPLICATION_ID && (app_id != 0 || tables != 0))
        return store_refuse(s, err, EPROTO, "open",
                            "not a scrubd store (SQLite application_id %lld, %lld schema objects); "
                            "name a new file or a store scrubd created",
                            (long long)app_id, (long long)tables);
    return 0;
}

int store_migrate(struct scrub_store *s, struct scrub_err *err)
{
    for (;;) {
        if (scrub_store_begin(s, err))
            return -1;
        int64_t version;
        if (store_check_version(s, &version, err))
            return -1;
        if (version == store_n_migrations)
            break;
        const struct store_migration *m = &store_migrations[version];
        char what[160], bump[48];
        snprintf(what, sizeof(what), "migration to schema version %lld (%s)", (long long)version + 1, m->what);
        snprintf(bump, sizeof(bump), "PRAGMA user_version = %lld", (long long)version + 1);
        if (sqlite3_exec(s->db, m->sql, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(s->db, bump, NULL, NULL, NULL) != SQLITE_OK)
            return store_fail(s, err, what);
        if (scrub_store_commit(s, err))
            return scrub_err_prefix(err, "%s", what);
    }
    scrub_store_rollback(s);
    return 0;
}
