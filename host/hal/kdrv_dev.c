#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kdrv_dev.h"

int scrub_kdrv_info(int fd, struct scrub_pcie_info *info)
{
    memset(info, 0, sizeof(*info));
    info->argsz = sizeof(*info);
    return ioctl(fd, SCRUB_PCIE_IOCTL_INFO, info) ? errno : 0;
}

int scrub_kdrv_open(const char *path, struct scrub_pcie_info *info, struct scrub_err *err)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int code = errno;
        return scrub_err_set(err, code, "kdrv backend: %s: %s%s", path, strerror(code),
                             code == ENOENT ? " (is scrub_pcie loaded and bound to the card? docs/driver.md)" : "");
    }
    int code = scrub_kdrv_info(fd, info);
    if (code) {
        close(fd);
        return scrub_err_set(err, code, "kdrv backend: %s: %s", path,
                             code == ENOTTY ? "not a scrub_pcie device (it does not answer the info ioctl)"
                                            : strerror(code));
    }
    return fd;
}

int scrub_kdrv_txn(int fd, struct scrub_pcie_op *ops, uint32_t n, bool commit, uint32_t *failed)
{
    struct scrub_pcie_txn t = {
        .argsz = sizeof(t),
        .flags = commit ? SCRUB_PCIE_TXN_COMMIT : 0,
        .op_size = sizeof(*ops),
        .n_ops = n,
        .ops = (uintptr_t)ops,
        .failed = SCRUB_PCIE_NO_FAILED_OP,
    };
    int code = ioctl(fd, SCRUB_PCIE_IOCTL_TXN, &t) ? errno : 0;
    *failed = t.failed;
    return code;
}
