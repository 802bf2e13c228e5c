#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "ctl_show.h"

void human_si(char *out, size_t size, double n)
{
    static const char *const prefix[] = {"", " k", " M", " G", " T", " P", " E"};
    unsigned i = 0;
    while (n >= 999.5 && i + 1 < sizeof(prefix) / sizeof(prefix[0])) {
        n /= 1000;
        i++;
    }
    if (i == 0)
        snprintf(out, size, "%.0f", n);
    else
        snprintf(out, size, "%.*f%s", n < 9.995 ? 2 : n < 99.95 ? 1 : 0, n, prefix[i]);
}

/* Members that a well-formed answer has; absent ones read as 0 / "". */
static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    json_object_object_get_ex(o, key, &v);
    return v;
}
static int64_t num(json_object *o, const char *key)
{
    return json_object_get_int64(get(o, key));
}
static const char *str(json_object *o, const char *key)
{
    const char *s = json_object_get_string(get(o, key));
    return s ? s : "";
}

static void duration(char *out, size_t size, int64_t s)
{
    if (s >= 86400)
        snprintf(out, size, "%" PRId64 "d %" PRId64 "h %" PRId64 "m", s / 86400, s % 86400 / 3600, s % 3600 / 60);
    else if (s >= 3600)
        snprintf(out, size, "%" PRId64 "h %" PRId64 "m %" PRId64 "s", s / 3600, s % 3600 / 60, s % 60);
    else if (s >= 60)
        snprintf(out, size, "%" PRId64 "m %" PRId64 "s", s / 60, s % 60);
    else
        snprintf(out, size, "%" PRId64 "s", s);
}

static void wall(char *out, size_t size, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, size, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static void names(FILE *f, json_object *array)
{
    size_t n = json_object_array_length(array);
    if (n == 0)
        fputs("none", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? ", " : "", json_object_get_string(json_object_array_get_idx(array, i)));
}

static void show_card(FILE *f, json_object *card, json_object *w)
{
    json_object *caps = get(card, "capabilities");
    fprintf(f, "backend       %s (spec '%s')\n", str(card, "backend"), str(card, "spec"));
    fprintf(f, "card          magic %s, register map %s, filtering %s, %" PRId64 " commits, card time %.3f s\n",
            str(card, "magic"), str(card, "version"), json_object_get_boolean(get(card, "enabled")) ? "on" : "off",
            num(card, "commit_count"), (double)num(card, "time_ns") / 1e9);
    fprintf(f, "capabilities  match %s, actions %s, parse window %" PRId64 " B, output FIFO %" PRId64
            " beats, %" PRId64 " count-only hits per packet\n",
            str(caps, "match"), str(caps, "actions"), num(caps, "window_bytes"), num(caps, "fifo_beats"),
            num(caps, "count_only_per_packet"));
    fprintf(f, "tables        used / capacity (what the card holds)\n");
    json_object_object_foreach(get(card, "tables"), name, t)
    {
        json_object *used = get(t, "used");
        if (used)
            fprintf(f, "  %-13s %9" PRId64 " / %" PRId64 "\n", name, json_object_get_int64(used), num(t, "capacity"));
        else
            fprintf(f, "  %-13s %9s   %" PRId64 "\n", name, "", num(t, "capacity"));
    }
    if (num(w, "timeout_ms"))
        fprintf(f, "watchdog      %" PRId64 " ms, kicked every %" PRId64 " ms (%" PRId64 " kicks, %" PRId64
                " failed, last %" PRId64 " ms ago), fails %s, %s\n",
                num(w, "timeout_ms"), num(w, "kick_ms"), num(w, "kicks"), num(w, "kick_errors"),
                num(w, "last_kick_ms_ago"), str(w, "fail"),
                json_object_get_boolean(get(w, "expired")) ? "EXPIRED" : "not expired");
    else
        fprintf(f, "watchdog      off\n");
}

void show_status(FILE *f, json_object *r)
{
    json_object *daemon = get(r, "daemon"), *card = get(r, "card");
    json_object *w = get(r, "watchdog"), *cfg = get(r, "config"), *store = get(r, "store");
    char up[64], when[64];
    duration(up, sizeof(up), num(daemon, "uptime_s"));
    fprintf(f, "daemon        pid %" PRId64 ", up %s, control socket %s\n", num(daemon, "pid"), up,
            str(daemon, "socket"));
    if (json_object_get_boolean(get(card, "reachable")))
        show_card(f, card, w);
    else
        fprintf(f, "card          NOT REACHABLE: %s\n", str(card, "error"));
    wall(when, sizeof(when), num(cfg, "loaded_at"));
    fprintf(f, "config        %s, generation %" PRId64 ", loaded %s\n", str(cfg, "path"), num(cfg, "generation"),
            when);
    fputs("  tenants     ", f);
    names(f, get(cfg, "tenants"));
    fputs("\n  profiles    ", f);
    names(f, get(cfg, "profiles"));
    fprintf(f, "\n  policers    %" PRId64 "\n", num(cfg, "policers"));
    fprintf(f, "store         %s (schema version %" PRId64 ")\n", str(store, "path"), num(store, "schema_version"));
    json_object *dots = get(r, "dots_signal");
    if (dots) {
        json_object *refused = get(dots, "refused");
        fprintf(f,
                "dots signal   %" PRId64 " sessions established; refused since the start: %" PRId64
                " handshakes (certificates), %" PRId64 " sessions (over a cap), %" PRId64 " requests (over a rate)\n",
                num(dots, "sessions"), num(refused, "handshakes"), num(refused, "sessions"), num(refused, "requests"));
    }
}

/* A rate, or "-" when the daemon has none (fewer than two polls, or the
 * counter went back). */
static void rate(char *out, size_t size, json_object *rates, const char *key)
{
    json_object *r = get(rates, key);
    if (!r || json_object_is_type(r, json_type_null)) {
        snprintf(out, size, "-");
        return;
    }
    human_si(out, size, json_object_get_double(r));
}

static void counter_row(FILE *f, const char *name, json_object *c, json_object *rates)
{
    char p[32], b[32], pps[32], bps[32];
    human_si(p, sizeof(p), (double)json_object_get_uint64(get(c, "packets")));
    human_si(b, sizeof(b), (double)json_object_get_uint64(get(c, "bytes")));
    rate(pps, sizeof(pps), rates, "pps");
    rate(bps, sizeof(bps), rates, "bps");
    fprintf(f, "%-20s %12s %11s%s %12s %12s\n", name, p, b, strchr(b, ' ') ? "B" : " B", pps, bps);
}

void show_counters(FILE *f, json_object *r)
{
    json_object *rates = get(r, "rates");
    json_object *rates_global = get(rates, "global");
    fprintf(f, "%-20s %12s %13s %12s %12s\n", "counter", "packets", "bytes", "pps", "bit/s");
    json_object_object_foreach(get(r, "global"), name, c)
        counter_row(f, name, c, get(rates_global, name));
    bool header = false;
    json_object_object_foreach(get(r, "malformed"), mal, m)
    {
        if (json_object_get_uint64(get(m, "packets")) == 0)
            continue;
        if (!header)
            fputs("malformed frames seen (non-zero):\n", f);
        header = true;
        char label[64];
        snprintf(label, sizeof(label), "  %s", mal);
        counter_row(f, label, m, NULL);
    }
    if (rates)
        fprintf(f, "totals since the card's reset; rates over the daemon's last poll interval (%" PRId64
                " ms, %" PRId64 " ms ago)\n", num(rates, "interval_ms"), num(rates, "age_ms"));
    else
        fputs("totals since the card's reset; no rates yet (they need two counter polls; see scrubd --stats-ms)\n",
              f);
}

void show_reload(FILE *f, json_object *r)
{
    fprintf(f, "%s reloaded: generation %" PRId64 "; tenants ", str(r, "path"), num(r, "generation"));
    names(f, get(r, "tenants"));
    fputs("; profiles ", f);
    names(f, get(r, "profiles"));
    fputs("\n(the card got the difference)\n", f);
}

/* ---- mitigations, clients, sources, audit ------------------------------------------------ */

static void prefix_list(FILE *f, json_object *array)
{
    size_t n = json_object_array_length(array);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? " " : "", json_object_get_string(json_object_array_get_idx(array, i)));
}

static void lifetime(char *out, size_t size, json_object *m)
{
    if (num(m, "lifetime") < 0) {
        snprintf(out, size, "indefinite");
        return;
    }
    duration(out, size, num(m, "remaining_s"));
    size_t len = strlen(out);
    snprintf(out + len, size - len, " left");
}

/* "1.23 k pkt 45.6 MB (12 pps 3.4 Mbit/s)" */
static void traffic(char *out, size_t size, json_object *c)
{
    char p[32], b[32], pps[32], bps[32];
    human_si(p, sizeof(p), (double)json_object_get_uint64(get(c, "packets")));
    human_si(b, sizeof(b), (double)json_object_get_uint64(get(c, "bytes")));
    rate(pps, sizeof(pps), c, "pps");
    rate(bps, sizeof(bps), c, "bps");
    snprintf(out, size, "%s pkt %s%s (%s pps, %sbit/s)", p, b, strchr(b, ' ') ? "B" : " B", pps,
             strcmp(bps, "-") ? bps : "- ");
}

void show_mitigations(FILE *f, json_object *r)
{
    json_object *list = get(r, "mitigations");
    size_t n = json_object_array_length(list);
    if (n == 0) {
        fputs("no mitigations (add one: scrubctl mitigation add CLIENT PREFIX...)\n", f);
        return;
    }
    fprintf(f, "%-12s %-22s %-9s %-10s %-18s %12s %12s %10s %12s  %s\n", "client", "cuid/mid", "status", "profile",
            "lifetime", "offered pkt", "dropped pkt", "drop pps", "drop bit/s", "prefixes");
    for (size_t i = 0; i < n; i++) {
        json_object *m = json_object_array_get_idx(list, i), *t = get(m, "traffic");
        json_object *off = get(t, "offered"), *drop = get(t, "dropped");
        char id[64], life[48], op[32], dp[32], pps[32], bps[32];
        snprintf(id, sizeof(id), "%s/%" PRId64, str(m, "cuid"), num(m, "mid"));
        lifetime(life, sizeof(life), m);
        human_si(op, sizeof(op), (double)json_object_get_uint64(get(off, "packets")));
        human_si(dp, sizeof(dp), (double)json_object_get_uint64(get(drop, "packets")));
        rate(pps, sizeof(pps), drop, "pps");
        rate(bps, sizeof(bps), drop, "bps");
        fprintf(f, "%-12s %-22s %-9s %-10s %-18s %12s %12s %10s %12s  ", str(m, "client"), id, str(m, "status"),
                str(m, "profile"), life, op, dp, pps, bps);
        prefix_list(f, get(m, "prefixes"));
        fputc('\n', f);
    }
    if (!json_object_get_boolean(get(r, "counters")))
        fputs("(no counters: the card is not reachable)\n", f);
}

void show_mitigation(FILE *f, json_object *m)
{
    char life[48], when[64], line[160];
    lifetime(life, sizeof(life), m);
    fprintf(f, "mitigation    %s/%" PRId64 " of client %s\n", str(m, "cuid"), num(m, "mid"), str(m, "client"));
    fprintf(f, "status        %s, %s on the card\n", str(m, "status"),
            json_object_get_boolean(get(m, "installed")) ? "installed" : "not installed");
    fputs("prefixes      ", f);
    prefix_list(f, get(m, "prefixes"));
    fprintf(f, "\nprofile       %s\nlifetime      %s", str(m, "profile"), life);
    if (num(m, "lifetime") > 0)
        fprintf(f, " (of %" PRId64 " s)", num(m, "lifetime"));
    wall(when, sizeof(when), num(m, "created_at"));
    fprintf(f, "\ncreated       %s\n", when);
    json_object *t = get(m, "traffic");
    traffic(line, sizeof(line), get(t, "offered"));
    fprintf(f, "offered       %s\n", line);
    traffic(line, sizeof(line), get(t, "dropped"));
    fprintf(f, "dropped       %s\n", line);
}

void show_added(FILE *f, json_object *r)
{
    char life[48];
    if (num(r, "lifetime") < 0)
        snprintf(life, sizeof(life), "indefinite");
    else
        duration(life, sizeof(life), num(r, "lifetime"));
    fprintf(f, "mitigation %s/%" PRId64 " %s for %s, lifetime %s\n", str(r, "cuid"),
            num(r, "mid"), json_object_get_boolean(get(r, "created")) ? "created" : "updated", str(r, "client"), life);
}

void show_withdrawn(FILE *f, json_object *r)
{
    json_object *fin = get(r, "final");
    char p[32], b[32], dp[32], db[32];
    human_si(p, sizeof(p), (double)json_object_get_uint64(get(get(fin, "offered"), "packets")));
    human_si(b, sizeof(b), (double)json_object_get_uint64(get(get(fin, "offered"), "bytes")));
    human_si(dp, sizeof(dp), (double)json_object_get_uint64(get(get(fin, "dropped"), "packets")));
    human_si(db, sizeof(db), (double)json_object_get_uint64(get(get(fin, "dropped"), "bytes")));
    fprintf(f, "mitigation %s/%" PRId64 " withdrawn; in all it saw %s pkt %s%s and dropped %s pkt %s%s\n",
            str(r, "cuid"), num(r, "mid"), p, b, strchr(b, ' ') ? "B" : " B", dp, db, strchr(db, ' ') ? "B" : " B");
}

void show_clients(FILE *f, json_object *r)
{
    json_object *list = get(r, "clients");
    fprintf(f, "%-16s %6s %-13s %-10s %-24s %11s %9s  %s\n", "client", "tenant", "origin", "profile",
            "quotas (mit/acl/src)", "mitigations", "sources", "prefixes");
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *c = json_object_array_get_idx(list, i), *q = get(c, "quotas");
        char quotas[64] = "-";
        if (q)
            snprintf(quotas, sizeof(quotas), "%" PRId64 "/%" PRId64 "/%" PRId64, num(q, "mitigations"),
                     num(q, "acl_entries"), num(q, "source_entries"));
        fprintf(f, "%-16s %6" PRId64 " %-13s %-10s %-24s %11" PRId64 " %9" PRId64 "  ", str(c, "client"),
                num(c, "tenant_id"), str(c, "origin"), str(c, "profile"), quotas, num(c, "mitigations"),
                num(c, "sources"));
        prefix_list(f, get(c, "prefixes"));
        fputc('\n', f);
    }
}

void show_sources(FILE *f, json_object *r)
{
    json_object *list = get(r, "sources");
    if (json_object_array_length(list) == 0) {
        fputs("no source entries\n", f);
        return;
    }
    fprintf(f, "%-16s %-40s %-8s %-12s %s\n", "tenant", "address", "action", "policer", "origin");
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *s = json_object_array_get_idx(list, i);
        fprintf(f, "%-16s %-40s %-8s %-12s %s\n", str(s, "tenant"), str(s, "address"), str(s, "action"),
                get(s, "policer") ? str(s, "policer") : "-", str(s, "origin"));
    }
}

void show_acls(FILE *f, json_object *r)
{
    json_object *list = get(r, "acls");
    size_t n = json_object_array_length(list);
    if (n == 0) {
        fputs("no data-channel ACLs (DOTS clients install them over RESTCONF, docs/dots.md)\n", f);
        return;
    }
    fprintf(f, "%-20s %-20s %-24s %-7s %-12s %12s %12s  %s\n", "cuid", "acl/ace", "activation", "on card",
            "lifetime", "matched pkt", "matched B", "client");
    for (size_t i = 0; i < n; i++) {
        json_object *a = json_object_array_get_idx(list, i), *aces = get(a, "aces");
        char life[48];
        if (num(a, "pending_lifetime_s") < 0)
            snprintf(life, sizeof(life), "indefinite");
        else
            duration(life, sizeof(life), num(a, "pending_lifetime_s"));
        fprintf(f, "%-20s %-20s %-24s %-7s %-12s %12s %12s  %s\n", str(a, "cuid"), str(a, "name"),
                str(a, "activation"), json_object_get_boolean(get(a, "installed")) ? "yes" : "no", life, "", "",
                str(a, "client"));
        if (get(a, "problem"))
            fprintf(f, "  problem: %s\n", str(a, "problem"));
        for (size_t k = 0; k < json_object_array_length(aces); k++) {
            json_object *e = json_object_array_get_idx(aces, k), *m = get(e, "matched");
            char p[32] = "-", b[32] = "-", name[64];
            if (m) {
                human_si(p, sizeof(p), (double)json_object_get_uint64(get(m, "packets")));
                human_si(b, sizeof(b), (double)json_object_get_uint64(get(m, "bytes")));
            }
            snprintf(name, sizeof(name), "  %s", str(e, "name"));
            fprintf(f, "%-20s %-20s %-24s %-7s %-12s %12s %12s\n", "", name, "",
                    json_object_get_boolean(get(e, "installed")) ? "yes" : "no", "", p, b);
        }
    }
    if (!json_object_get_boolean(get(r, "counters")))
        fputs("(no counters: the card is not reachable)\n", f);
}

void show_backup(FILE *f, json_object *r)
{
    fprintf(f, "store copied to %s (schema version %" PRId64 "); open it with scrubd --store to restore\n",
            str(r, "path"), num(r, "schema_version"));
}

void show_audit(FILE *f, json_object *r)
{
    json_object *list = get(r, "entries");
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *e = json_object_array_get_idx(list, i);
        char when[64];
        wall(when, sizeof(when), num(e, "at_ms") / 1000);
        fprintf(f, "%6" PRId64 "  %s  %-8s %s: %s -> %s\n", num(e, "id"), when, str(e, "channel"), str(e, "who"),
                str(e, "what"), str(e, "result"));
    }
}

void show_done(FILE *f, json_object *r)
{
    (void)r;
    fputs("done\n", f);
}
