/* The xrt backend: the card on an Alveo, through XRT's native API.
 *
 * Selected as "xrt:xclbin=PATH[,device=INDEX|BDF]" (scrub_hal_open); the
 * device defaults to index 0, a BDF reads like 0000:65:00.1, and a path
 * cannot hold a comma. Opening reads the xclbin, finds the filter IP (the
 * kernel named SCRUB_XRT_IP, one instance) and its base address in its
 * IP_LAYOUT, opens the device, loads the xclbin (XRT downloads it only when
 * the card runs another one, so a card that is filtering keeps its tables)
 * and opens the IP. Transactions then run as register accesses at the IP's
 * base + offset (xrt::ip), polls waiting in real time.
 *
 * XRT needs XILINX_XRT, its install prefix: $XILINX_XRT/lib holds the
 * device shims it loads (Debian: a folder whose lib links to
 * /usr/lib/<multiarch>). XCL_EMULATION_MODE=noop selects XRT's noop device,
 * which opens and loads but refuses every register access. */
#ifndef SCRUB_HAL_XRT_H
#define SCRUB_HAL_XRT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "scrub_hal.h"

/* The filter IP's kernel name in the xclbin: the card's top module. */
#define SCRUB_XRT_IP "scrub_pipeline"

extern const struct scrub_hal_backend scrub_hal_xrt_backend;

/* A backend context on the card the options name ("xclbin=PATH,device=0",
 * the part after "xrt:"). NULL with err naming the device, the IP and what
 * is missing. */
void *scrub_hal_xrt_open(const char *options, struct scrub_err *err);

/* Where an open context found the filter. The strings live as long as the
 * context. */
struct scrub_xrt_where {
    const char *device; /* as given: an index or a BDF */
    const char *ip;     /* the IP_LAYOUT name, "kernel:instance" */
    uint64_t base;      /* the IP's base address */
};
void scrub_hal_xrt_where(const void *ctx, struct scrub_xrt_where *out);

#ifdef __cplusplus
}
#endif

#endif
