/* scrubd's state: what the daemon's parts share. One struct scrubd per
 * process, owned by main (scrubd.c); every part runs on its one event
 * loop. */
#ifndef SCRUBD_H
#define SCRUBD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "config_apply.h"
#include "dots_session_config.h"
#include "dots_signal.h"
#include "scrub_config.h"
#include "scrub_core.h"
#include "scrub_hal.h"
#include "scrub_store.h"

struct event_base;
struct event;
struct control;
struct dots_schema;
struct dots_signal;
struct dots_data;

/* The DOTS signal channel, off while cert_file is NULL, and the data
 * channel beside it. */
struct scrubd_dots_options {
    const char *address;
    uint16_t port;
    const char *ca_file, *crl_file, *cert_file, *key_file;
    const char *yang_dir; /* the IETF modules as libyang loads them */
    struct dots_sc_ranges ranges; /* what clients may set in their session configurations */
    uint32_t notify_s; /* Observe notifications while mitigating; 0: the channel's default */
    uint32_t terminating_s; /* the active-but-terminating period; 0: none (withdrawn at once) */
    uint32_t config_max_age_s; /* Max-Age of /config answers; 0: the channel's default */
    uint32_t observe_keepalive_s; /* observers told at least this often in peace time; 0: the channel's default */
    struct dots_limits limits; /* self-protection */
    bool cuid_from_cert; /* cuids must be derived from client certificates (RFC 9132 section 4.4.1) */
    const char *data_address; /* the data channel (RFC 8783), with the same certificates; */
    uint16_t data_port;       /* off while 0 */
};

struct scrubd_options {
    const char *config_path;
    const char *store_path;
    const char *socket_path;
    const char *socket_owner; /* NULL: the daemon's user */
    const char *socket_group; /* NULL: the daemon's group */
    mode_t socket_mode;
    const char *backend; /* a scrub_hal_open spec */
    uint32_t wdog_timeout_ms; /* 0: the watchdog is off */
    uint32_t wdog_kick_ms;
    bool fail_closed; /* CTRL.FAIL_CLOSED: what the card does when the watchdog expires */
    uint32_t stats_ms; /* counter poll period; 0: no polls, no rates */
    int64_t max_lifetime_s; /* the longest mitigation lifetime granted; 0: no cap */
    uint32_t quiet_s, bucket_s; /* the core's status rule and average buckets; 0: its defaults */
    struct scrubd_dots_options dots;
};

struct watchdog {
    struct event *timer; /* the card timer (card.h) */
    uint64_t kicks, kick_errors;
    struct timespec last_kick; /* CLOCK_MONOTONIC, of the last kick that worked */
};

/* The last two counter polls (stats.h). */
struct stats {
    struct event *timer;
    struct scrub_counter prev[SCRUB_GSTAT_COUNT], cur[SCRUB_GSTAT_COUNT];
    struct timespec prev_at, cur_at; /* CLOCK_MONOTONIC */
    unsigned polls;
    uint64_t errors;
    bool failing;
    struct timespec saved_at; /* CLOCK_MONOTONIC of the last scrub_core_activity_save */
};

struct scrubd {
    struct scrubd_options opt;
    struct event_base *base;
    struct scrub_store *store;
    struct scrub_hal *hal;
    struct control *control;
    struct watchdog wdog;
    struct stats stats;
    struct scrub_core *core;   /* tenants, mitigations, sources: the card's contents (scrub_core.h) */
    struct event *expiry;      /* the lifetime timer (expiry.h) */
    unsigned expiry_ticks;
    struct dots_schema *dots_schema; /* with the signal channel (signal_channel.h) */
    struct dots_signal *dots_signal;
    struct dots_data *dots_data; /* data_channel.h */

    /* The running configuration: replaced whole by a reload that passed. */
    struct scrub_config cfg;
    unsigned cfg_generation; /* 1 at start, +1 per reload */
    time_t cfg_loaded_at;

    /* While the card is lost (hal NULL): why, and the reopens that failed. */
    char card_error[512];
    uint64_t card_reopen_failures;

    struct timespec started; /* CLOCK_MONOTONIC */
    time_t started_wall;
};

/* Milliseconds from a to b on the same clock. */
int64_t timespec_ms(const struct timespec *a, const struct timespec *b);

#endif
