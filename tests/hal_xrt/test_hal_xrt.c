/* The xrt backend without a card: its options, the xclbin it reads (the
 * filter IP and its base address found, or the clear error when the file
 * is missing, damaged or without the IP), a device that is missing, and
 * XRT's noop device, which opens but refuses register accesses.
 *
 * XRT loads its device shim once a process, from the environment, so each
 * group runs in a process of its own (tests/hal_xrt/CMakeLists.txt sets the
 * environment):
 *   test_hal_xrt xclbin DIR   the xclbin checks, before any device is
 *                             opened, and XILINX_XRT unset
 *   test_hal_xrt nocard DIR   XILINX_XRT set, no card
 *   test_hal_xrt noop DIR     XILINX_XRT set, XCL_EMULATION_MODE=noop
 * DIR holds the xclbins the build made (make_xclbin). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scrub_hal.h"
#include "scrub_hal_xrt.h"

/* What the build put in the xclbins (CMakeLists.txt). */
#define FILTER_NAME SCRUB_XRT_IP ":" SCRUB_XRT_IP "_1"
#define FILTER_BASE 0x1800000u
#define OTHER_NAME "stats:stats_1"

static const char *dir;

/* "xrt:xclbin=DIR/NAME" plus more options. */
static const char *spec(const char *name, const char *more)
{
    static char buf[4096];
    snprintf(buf, sizeof(buf), "xrt:xclbin=%s/%s%s", dir, name, more);
    return buf;
}

/* Opening fails, and the message holds every one of the NULL-ended parts. */
static void open_fails_saying(const char *backend, int code, ...)
{
    struct scrub_err err = {0};
    assert_null(scrub_hal_open(backend, &err));
    print_message("%s\n  -> %s\n", backend, err.msg);
    assert_int_equal(err.code, code);
    va_list ap;
    va_start(ap, code);
    for (const char *part; (part = va_arg(ap, const char *));)
        if (!strstr(err.msg, part))
            fail_msg("'%s' is not in: %s", part, err.msg);
    va_end(ap);
}

/* ---- xclbin: before any device -------------------------------------------------- */

static void options_are_checked(void **state)
{
    (void)state;
    open_fails_saying("xrt", EINVAL, "device 0", "no xclbin given", SCRUB_XRT_IP, NULL);
    open_fails_saying("xrt:device=3", EINVAL, "device 3", "no xclbin given", NULL);
    open_fails_saying("xrt:xclbin", EINVAL, "option 'xclbin' needs a value", NULL);
    open_fails_saying(spec("filter.xclbin", ",speed=9"), EINVAL, "unknown option 'speed'", NULL);
}

static void missing_xclbin_is_named(void **state)
{
    (void)state;
    open_fails_saying(spec("absent.xclbin", ",device=2"), ENOENT, "device 2", "absent.xclbin", SCRUB_XRT_IP,
                      "cannot read the xclbin", "No such file", NULL);
}

static void xclbin_without_the_ip_is_named(void **state)
{
    (void)state;
    open_fails_saying(spec("no_filter.xclbin", ""), ENOENT, "device 0", "no_filter.xclbin",
                      "has no filter IP " SCRUB_XRT_IP " in its IP_LAYOUT", "it lists " OTHER_NAME " at 0x10000",
                      NULL);
    open_fails_saying(spec("empty.xclbin", ""), ENOENT, "empty.xclbin", "it lists no IP", NULL);
}

static void two_filters_are_refused(void **state)
{
    (void)state;
    open_fails_saying(spec("two_filters.xclbin", ""), EINVAL, "two_filters.xclbin",
                      "2 instances of the filter IP " SCRUB_XRT_IP, NULL);
}

static void damaged_xclbins_are_refused(void **state)
{
    (void)state;
    open_fails_saying(spec("not_an.xclbin", ""), EINVAL, "not_an.xclbin", "not an xclbin", NULL);
    open_fails_saying(spec("truncated.xclbin", ""), EINVAL, "truncated.xclbin", "truncated or damaged", NULL);
}

static void unset_xilinx_xrt_is_named(void **state)
{
    (void)state;
    open_fails_saying(spec("filter.xclbin", ""), ENOENT, "device 0", FILTER_NAME, "base 0x1800000",
                      "XILINX_XRT is not set", NULL);
}

/* ---- nocard: XRT finds no device ------------------------------------------------- */

static void missing_device_names_device_and_ip(void **state)
{
    (void)state;
    /* Where XRT's driver runs, device 0 may be a real card: never load
     * this test's xclbin onto it. */
    if (access("/sys/bus/pci/drivers/xocl", F_OK) == 0) {
        print_message("skipped: XRT's xocl driver is loaded here, device 0 may be a real card\n");
        skip();
    }
    /* The IP and its base come from the xclbin, read before the device. */
    open_fails_saying(spec("filter.xclbin", ""), ENODEV, "device 0 is missing", FILTER_NAME, "base 0x1800000",
                      "filter.xclbin", NULL);
    open_fails_saying(spec("filter.xclbin", ",device=0000:65:00.1"), ENODEV, "device 0000:65:00.1 is missing",
                      FILTER_NAME, NULL);
}

/* ---- noop: XRT's device that opens and refuses ----------------------------------- */

static void noop_device_opens_and_reports_the_ip(void **state)
{
    (void)state;
    struct scrub_err err = {0};
    void *ctx = scrub_hal_xrt_open(spec("filter.xclbin", ",device=0") + strlen("xrt:"), &err);
    if (!ctx)
        fail_msg("the noop device did not open: %s", err.msg);
    struct scrub_xrt_where w;
    scrub_hal_xrt_where(ctx, &w);
    print_message("device %s, IP %s at 0x%llx\n", w.device, w.ip, (unsigned long long)w.base);
    assert_string_equal(w.device, "0");
    assert_string_equal(w.ip, FILTER_NAME);
    assert_int_equal(w.base, FILTER_BASE);
    scrub_hal_xrt_backend.close(ctx);
}

static void refused_write_names_device_ip_and_register(void **state)
{
    (void)state;
    struct scrub_err err = {0};
    void *ctx = scrub_hal_xrt_open(spec("filter.xclbin", "") + strlen("xrt:"), &err);
    assert_non_null(ctx);
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    scrub_txn_write(&t, SCRUB_REG_WDOG_KICK, 1);
    scrub_txn_write(&t, SCRUB_REG_WDOG_TIMEOUT, 500);
    t.commit = true;
    assert_int_equal(scrub_hal_xrt_backend.run(ctx, &t, &err), -1);
    print_message("%s\n", err.msg);
    assert_int_equal(err.code, EPERM);
    assert_int_equal(t.failed, 0);
    char reg[64];
    snprintf(reg, sizeof(reg), "write of 0x00000001 to WDOG_KICK (offset 0x%04x) refused", SCRUB_REG_WDOG_KICK);
    const char *parts[] = {"xrt backend: device 0", "IP " FILTER_NAME, "base 0x1800000", reg, "(op 0)"};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        if (!strstr(err.msg, parts[i]))
            fail_msg("'%s' is not in: %s", parts[i], err.msg);
    scrub_txn_free(&t);
    scrub_hal_xrt_backend.close(ctx);
}

static void open_stops_at_the_refused_identity_read(void **state)
{
    (void)state;
    char magic[64];
    snprintf(magic, sizeof(magic), "read of MAGIC (offset 0x%04x) refused", SCRUB_REG_MAGIC);
    open_fails_saying(spec("filter.xclbin", ""), EPERM, "reading the card's identity", "device 0",
                      "IP " FILTER_NAME, magic, NULL);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_hal_xrt xclbin|nocard|noop DIR\n");
        return 2;
    }
    dir = argv[2];
    const struct CMUnitTest xclbin[] = {
        cmocka_unit_test(options_are_checked),
        cmocka_unit_test(missing_xclbin_is_named),
        cmocka_unit_test(xclbin_without_the_ip_is_named),
        cmocka_unit_test(two_filters_are_refused),
        cmocka_unit_test(damaged_xclbins_are_refused),
        cmocka_unit_test(unset_xilinx_xrt_is_named),
    };
    const struct CMUnitTest nocard[] = {
        cmocka_unit_test(missing_device_names_device_and_ip),
    };
    const struct CMUnitTest noop[] = {
        cmocka_unit_test(noop_device_opens_and_reports_the_ip),
        cmocka_unit_test(refused_write_names_device_ip_and_register),
        cmocka_unit_test(open_stops_at_the_refused_identity_read),
    };
    if (strcmp(argv[1], "xclbin") == 0)
        return cmocka_run_group_tests_name("hal_xrt_xclbin", xclbin, NULL, NULL);
    if (strcmp(argv[1], "nocard") == 0)
        return cmocka_run_group_tests_name("hal_xrt_nocard", nocard, NULL, NULL);
    if (strcmp(argv[1], "noop") == 0)
        return cmocka_run_group_tests_name("hal_xrt_noop", noop, NULL, NULL);
    fprintf(stderr, "test_hal_xrt: unknown group '%s' (xclbin, nocard, noop)\n", argv[1]);
    return 2;
}
