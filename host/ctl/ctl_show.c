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
    fprintf(f, "tables        %s\n", json_object_get_boolean(get(card, "programmed_by_scrubd"))
                                         ? "used / capacity (as scrubd programmed it)"
                                         : "capacity (the card was found programmed; its fill is read back in a "
                                           "later version)");
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
    fputs("\n(the card's tables are not rewritten by a reload yet)\n", f);
}
