/* The CBOR key table of the DOTS signal channel (RFC 9132 section 6, IANA
 * "DOTS Signal Channel CBOR Key Values"): each YANG data node name the signal
 * channel carries and its integer key, with the CBOR major types the RFC
 * gives for its value. Owns the table only; decoding and encoding live in
 * dots_cbor_decode.c and dots_cbor_encode.c. */
#ifndef DOTS_CBOR_KEYS_H
#define DOTS_CBOR_KEYS_H

#include <stdbool.h>
#include <stdint.h>

/* CBOR major types, as bits of dots_cbor_key.majors. */
#define DOTS_CBOR_MT_UINT   (1u << 0)
#define DOTS_CBOR_MT_NEGINT (1u << 1)
#define DOTS_CBOR_MT_BYTES  (1u << 2)
#define DOTS_CBOR_MT_TEXT   (1u << 3)
#define DOTS_CBOR_MT_ARRAY  (1u << 4)
#define DOTS_CBOR_MT_MAP    (1u << 5)
#define DOTS_CBOR_MT_TAG    (1u << 6)
#define DOTS_CBOR_MT_SIMPLE (1u << 7)

/* Keys 1-32767 are comprehension-required, 32768-65535
 * comprehension-optional (RFC 9132 section 10.6.1, see docs/dots.md); no
 * other value is a DOTS key. */
#define DOTS_CBOR_KEY_MIN      1u
#define DOTS_CBOR_KEY_OPTIONAL 32768u
#define DOTS_CBOR_KEY_MAX      65535u

struct dots_cbor_key {
    uint32_t key;
    /* The YANG module when the name is module-qualified (a top-level
     * message type, or a node augmented from another module), else NULL. */
    const char *module;
    const char *name;
    /* The message-type case of the dots-signal structure that this top-level
     * key names (mitigation-scope, signal-config, ...): no data node. */
    bool is_case;
    unsigned majors;  /* DOTS_CBOR_MT_* the RFC allows for the value */
};

/* The entry of key, or NULL. */
const struct dots_cbor_key *dots_cbor_key_by_value(uint32_t key);
/* The entry of (module, name): module NULL matches only unqualified
 * entries, a module matches only entries qualified with it. NULL if none. */
const struct dots_cbor_key *dots_cbor_key_by_name(const char *module, const char *name);
/* Whether an unknown key may be dropped (comprehension-optional range). */
bool dots_cbor_key_optional(uint64_t key);
/* The table, for tests: *count entries. */
const struct dots_cbor_key *dots_cbor_keys(unsigned *count);

#endif
