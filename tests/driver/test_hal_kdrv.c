/* The kdrv backend without a card: its options, and the errors that name
 * the device when it is missing or not a scrub_pcie device. Transactions
 * through the driver run in the QEMU test (scripts/test-driver-qemu). */
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
#include "scrub_hal_kdrv.h"

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

static void options_are_checked(void **state)
{
    (void)state;
    open_fails_saying("kdrv:speed=9", EINVAL, "kdrv backend", "unknown option 'speed'", "kdrv[:dev=PATH]", NULL);
    open_fails_saying("kdrv:dev=", EINVAL, "option 'dev' needs a path", NULL);
    open_fails_saying("kdrvx", EINVAL, "unknown card backend 'kdrvx'", "kdrv[:dev=PATH]", NULL);
}

static void missing_device_is_named(void **state)
{
    (void)state;
    open_fails_saying("kdrv:dev=/nonexistent/scrub9", ENOENT, "/nonexistent/scrub9", "No such file",
                      "is scrub_pcie loaded", NULL);
    if (access(SCRUB_KDRV_DEFAULT_DEV, F_OK) == 0) {
        print_message("default device not checked: %s exists here\n", SCRUB_KDRV_DEFAULT_DEV);
        return;
    }
    open_fails_saying("kdrv", ENOENT, SCRUB_KDRV_DEFAULT_DEV, NULL);
}

static void other_files_are_not_cards(void **state)
{
    (void)state;
    open_fails_saying("kdrv:dev=/dev/null", ENOTTY, "/dev/null", "not a scrub_pcie device", NULL);
    char path[] = "/tmp/test_hal_kdrv_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char spec[64];
    snprintf(spec, sizeof(spec), "kdrv:dev=%s", path);
    open_fails_saying(spec, ENOTTY, path, "not a scrub_pcie device", NULL);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(options_are_checked),
        cmocka_unit_test(missing_device_is_named),
        cmocka_unit_test(other_files_are_not_cards),
    };
    return cmocka_run_group_tests_name("hal_kdrv", tests, NULL, NULL);
}
