/* The CBOR key table of RFC 9132 section 6 (keys 1-51), with RFC 9133's
 * signal-control keys (52, 53). Sources and the one disagreement with the
 * project's fact sheet (min-value is 34, max-value 35) are in docs/dots.md. */
#include "dots_cbor_keys.h"

#include <stddef.h>
#include <string.h>

#define SC "ietf-dots-signal-channel"
#define U DOTS_CBOR_MT_UINT
#define N DOTS_CBOR_MT_NEGINT
#define T DOTS_CBOR_MT_TEXT
#define A DOTS_CBOR_MT_ARRAY
#define M DOTS_CBOR_MT_MAP
#define G DOTS_CBOR_MT_TAG
#define S DOTS_CBOR_MT_SIMPLE

/* Sorted by key. */
static const struct dots_cbor_key keys[] = {
    {1, SC, "mitigation-scope", true, M},
    {2, NULL, "scope", false, A},
    {3, NULL, "cdid", false, T},
    {4, NULL, "cuid", false, T},
    {5, NULL, "mid", false, U},
    {6, NULL, "target-prefix", false, A},
    {7, NULL, "target-port-range", false, A},
    {8, NULL, "lower-port", false, U},
    {9, NULL, "upper-port", false, U},
    {10, NULL, "target-protocol", false, A},
    {11, NULL, "target-fqdn", false, A},
    {12, NULL, "target-uri", false, A},
    {13, NULL, "alias-name", false, A},
    {14, NULL, "lifetime", false, U | N},
    {15, NULL, "mitigation-start", false, U},
    {16, NULL, "status", false, U},
    {17, NULL, "conflict-information", false, M},
    {18, NULL, "conflict-status", false, U},
    {19, NULL, "conflict-cause", false, U},
    {20, NULL, "retry-timer", false, U},
    {21, NULL, "conflict-scope", false, M},
    {22, NULL, "acl-list", false, A},
    {23, NULL, "acl-name", false, T},
    {24, NULL, "acl-type", false, T},
    {25, NULL, "bytes-dropped", false, U},
    {26, NULL, "bps-dropped", false, U},
    {27, NULL, "pkts-dropped", false, U},
    {28, NULL, "pps-dropped", false, U},
    {29, NULL, "attack-status", false, U},
    {30, SC, "signal-config", true, M},
    {31, NULL, "sid", false, U},
    {32, NULL, "mitigating-config", false, M},
    {33, NULL, "heartbeat-interval", false, M},
    {34, NULL, "min-value", false, U},
    {35, NULL, "max-value", false, U},
    {36, NULL, "current-value", false, U},
    {37, NULL, "missing-hb-allowed", false, M},
    {38, NULL, "max-retransmit", false, M},
    {39, NULL, "ack-timeout", false, M},
    {40, NULL, "ack-random-factor", false, M},
    {41, NULL, "min-value-decimal", false, G},
    {42, NULL, "max-value-decimal", false, G},
    {43, NULL, "current-value-decimal", false, G},
    {44, NULL, "idle-config", false, M},
    {45, NULL, "trigger-mitigation", false, S},
    {46, SC, "redirected-signal", true, M},
    {47, NULL, "alt-server", false, T},
    {48, NULL, "alt-server-record", false, A},
    {49, SC, "heartbeat", true, M},
    {50, NULL, "probing-rate", false, M},
    {51, NULL, "peer-hb-status", false, S},
    {52, NULL, "activation-type", false, U},
    {53, "ietf-dots-signal-control", "acl-list", false, A},
};

const struct dots_cbor_key *dots_cbor_key_by_value(uint32_t key)
{
    size_t lo = 0, hi = sizeof keys / sizeof keys[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid].key == key)
            return &keys[mid];
        if (keys[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct dots_cbor_key *dots_cbor_key_by_name(const char *module, const char *name)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const struct dots_cbor_key *k = &keys[i];
        if (strcmp(k->name, name) != 0)
            continue;
        if (module == NULL ? k->module == NULL : (k->module != NULL && strcmp(k->module, module) == 0))
            return k;
    }
    return NULL;
}

bool dots_cbor_key_optional(uint64_t key)
{
    return key >= DOTS_CBOR_KEY_OPTIONAL && key <= DOTS_CBOR_KEY_MAX;
}

const struct dots_cbor_key *dots_cbor_keys(unsigned *count)
{
    *count = sizeof keys / sizeof keys[0];
    return keys;
}
