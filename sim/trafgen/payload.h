/* Application payloads: plausible first bytes of each protocol the traffic
 * mix carries (so tcpdump decodes them and length-based rules see real
 * sizes), filled out with random bytes. Each writes exactly len bytes;
 * plain random payloads come from rng_fill. */
#ifndef TRAFGEN_PAYLOAD_H
#define TRAFGEN_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

void payload_http_request(struct rng *r, uint8_t *out, size_t len); /* len >= 160 */
void payload_tls_record(struct rng *r, uint8_t *out, size_t len);   /* len >= 6 */
void payload_ping(struct rng *r, uint8_t *out, size_t len);
void payload_dns_query(struct rng *r, uint8_t *out, size_t len);    /* 30 <= len <= 90 */
void payload_dns_response(struct rng *r, uint8_t *out, size_t len); /* len >= 64 */
void payload_ntp_monlist(struct rng *r, uint8_t *out, size_t len);  /* len >= 8 */
void payload_memcached(struct rng *r, uint8_t *out, size_t len);    /* len >= 40 */
void payload_ssdp(struct rng *r, uint8_t *out, size_t len);         /* len >= 240 */
void payload_cldap(struct rng *r, uint8_t *out, size_t len);        /* len >= 16 */

#endif
