// The xrt backend (scrub_hal_xrt.h): C++ because XRT's native API is. No
// exception leaves this file: the HAL above is C, so what it calls back is
// noexcept and catches XRT's errors.
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <experimental/xrt_ip.h>
#include <experimental/xrt_xclbin.h>
#include <xclbin.h>
#include <xrt/xrt_device.h>

extern "C" {
#include "scrub_hal_exec.h"
}
#include "scrub_hal_xrt.h"

namespace {

struct options {
    std::string device = "0";
    std::string xclbin;
};

struct card {
    options opt;
    std::string ip_name; // "kernel:instance" from the IP_LAYOUT
    uint64_t base = 0;
    xrt::device device;
    xrt::ip ip;
};

int error_code(const std::exception &e)
{
    auto sys = dynamic_cast<const std::system_error *>(&e);
    return sys && sys->code().value() ? sys->code().value() : EIO;
}

std::string describe_reg(uint32_t addr)
{
    const char *name = scrub_reg_name(addr);
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%s (offset 0x%04x)", name ? name : "unmapped register", addr);
    return buf;
}

// Names a refused access in err: device, IP, base, what and XRT's reason.
bool refuse(card *c, const std::string &what, const std::exception &e, scrub_err *err)
{
    scrub_err_set(err, error_code(e), "xrt backend: device %s, IP %s (base 0x%llx): %s refused: %s",
                  c->opt.device.c_str(), c->ip_name.c_str(), static_cast<unsigned long long>(c->base),
                  what.c_str(), e.what());
    return false;
}

bool reg_read(void *ctx, uint32_t addr, uint32_t *value, scrub_err *err) noexcept
{
    auto c = static_cast<card *>(ctx);
    try {
        *value = c->ip.read_register(addr);
        return true;
    } catch (const std::exception &e) {
        return refuse(c, "read of " + describe_reg(addr), e, err);
    }
}

bool reg_write(void *ctx, uint32_t addr, uint32_t value, scrub_err *err) noexcept
{
    auto c = static_cast<card *>(ctx);
    try {
        c->ip.write_register(addr, value);
        return true;
    } catch (const std::exception &e) {
        char v[16];
        std::snprintf(v, sizeof(v), "0x%08x", value);
        return refuse(c, std::string("write of ") + v + " to " + describe_reg(addr), e, err);
    }
}

bool reg_wait(void *ctx, uint32_t us) noexcept
{
    (void)ctx;
    std::this_thread::sleep_for(std::chrono::microseconds(us));
    return true;
}

int run(void *ctx, scrub_hal_txn *t, scrub_err *err) noexcept
{
    scrub_hal_regs regs = {reg_read, reg_write, reg_wait, ctx};
    return scrub_hal_exec(&regs, "xrt", t, err);
}

void close_ctx(void *ctx) noexcept
{
    delete static_cast<card *>(ctx);
}

int parse_options(const char *text, options &o, scrub_err *err)
{
    std::string s = text;
    for (size_t at = 0; at < s.size();) {
        size_t end = s.find(',', at);
        if (end == std::string::npos)
            end = s.size();
        std::string item = s.substr(at, end - at);
        size_t eq = item.find('=');
        std::string key = item.substr(0, eq), value = eq == std::string::npos ? "" : item.substr(eq + 1);
        if (eq == std::string::npos || value.empty())
            return scrub_err_set(err, EINVAL,
                                 "xrt backend: option '%s' needs a value (xrt:xclbin=PATH[,device=INDEX|BDF])",
                                 item.c_str());
        if (key == "device")
            o.device = value;
        else if (key == "xclbin")
            o.xclbin = value;
        else
            return scrub_err_set(err, EINVAL, "xrt backend: unknown option '%s' (known: xclbin, device)", key.c_str());
        at = end + 1;
    }
    if (o.xclbin.empty())
        return scrub_err_set(err, EINVAL,
                             "xrt backend: device %s: no xclbin given to find the filter IP %s in "
                             "(xrt:xclbin=PATH[,device=INDEX|BDF])",
                             o.device.c_str(), SCRUB_XRT_IP);
    return 0;
}

std::string kernel_of(const std::string &ip_name)
{
    return ip_name.substr(0, ip_name.find(':'));
}

std::string hex(uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// XRT's parser trusts the file (a truncated one crashes it, an empty one
// reads as an xclbin without IPs), so the layout is checked first: the
// header, the section table, each section within the image, and the
// IP_LAYOUT's entries within their section. Returns what is wrong, or "".
std::string check_xclbin(const std::vector<char> &image)
{
    size_t size = image.size();
    if (size < sizeof(axlf) || std::memcmp(image.data(), "xclbin2", 8) != 0)
        return "not an xclbin (no xclbin2 header)";
    axlf top;
    std::memcpy(&top, image.data(), sizeof(top));
    // A signed xclbin carries its signature after m_length bytes.
    if (top.m_header.m_length > size || top.m_header.m_length < sizeof(axlf))
        return "truncated or damaged: its header says " + std::to_string(top.m_header.m_length) +
               " bytes, the file has " + std::to_string(size);
    size = top.m_header.m_length;
    uint64_t sections = top.m_header.m_numSections;
    if (sections == 0 || sections > (size - offsetof(axlf, m_sections)) / sizeof(axlf_section_header))
        return "damaged: its section table (" + std::to_string(sections) + " sections) does not fit in the file";
    for (uint64_t i = 0; i < sections; i++) {
        axlf_section_header h;
        std::memcpy(&h, image.data() + offsetof(axlf, m_sections) + i * sizeof(h), sizeof(h));
        if (h.m_sectionOffset > size || h.m_sectionSize > size - h.m_sectionOffset)
            return "damaged: section " + std::to_string(i) + " lies outside the file";
        if (h.m_sectionKind != IP_LAYOUT)
            continue;
        int32_t count;
        if (h.m_sectionSize < sizeof(count))
            return "damaged: its IP_LAYOUT is shorter than its count";
        std::memcpy(&count, image.data() + h.m_sectionOffset, sizeof(count));
        if (count < 0 ||
            (h.m_sectionSize - offsetof(ip_layout, m_ip_data)) / sizeof(ip_data) < static_cast<uint64_t>(count))
            return "damaged: its IP_LAYOUT lists " + std::to_string(count) + " IPs, more than its section holds";
    }
    return "";
}

// Reads and checks the xclbin file; XRT then parses it from memory.
int read_xclbin(const options &o, xrt::xclbin &x, scrub_err *err)
{
    errno = 0;
    std::ifstream in(o.xclbin, std::ios::binary);
    std::vector<char> image;
    if (in)
        image.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!in.is_open() || in.bad()) {
        int code = errno ? errno : EIO;
        return scrub_err_set(err, code,
                             "xrt backend: device %s: cannot read the xclbin %s to find the filter IP %s: %s",
                             o.device.c_str(), o.xclbin.c_str(), SCRUB_XRT_IP, std::strerror(code));
    }
    std::string wrong = check_xclbin(image);
    if (!wrong.empty())
        return scrub_err_set(err, EINVAL,
                             "xrt backend: device %s: the xclbin %s, where the filter IP %s should be, is %s",
                             o.device.c_str(), o.xclbin.c_str(), SCRUB_XRT_IP, wrong.c_str());
    try {
        x = xrt::xclbin(image);
    } catch (const std::exception &e) {
        return scrub_err_set(err, error_code(e), "xrt backend: device %s: XRT cannot parse the xclbin %s: %s",
                             o.device.c_str(), o.xclbin.c_str(), e.what());
    }
    return 0;
}

// Finds the one instance of the filter IP in the xclbin's IP_LAYOUT.
int find_ip(card *c, const xrt::xclbin &x, scrub_err *err)
{
    const options &o = c->opt;
    std::vector<xrt::xclbin::ip> found;
    std::string others;
    for (const auto &ip : x.get_ips()) {
        if (kernel_of(ip.get_name()) == SCRUB_XRT_IP)
            found.push_back(ip);
        else
            others += (others.empty() ? "" : ", ") + ip.get_name() + " at " + hex(ip.get_base_address());
    }
    if (found.empty())
        return scrub_err_set(err, ENOENT, "xrt backend: device %s: %s has no filter IP %s in its IP_LAYOUT (%s%s)",
                             o.device.c_str(), o.xclbin.c_str(), SCRUB_XRT_IP,
                             others.empty() ? "it lists no IP" : "it lists ", others.c_str());
    if (found.size() > 1)
        return scrub_err_set(err, EINVAL,
                             "xrt backend: device %s: %s has %zu instances of the filter IP %s, a card has one",
                             o.device.c_str(), o.xclbin.c_str(), found.size(), SCRUB_XRT_IP);
    c->ip_name = found[0].get_name();
    c->base = found[0].get_base_address();
    return 0;
}

bool is_index(const std::string &s)
{
    return s.find_first_not_of("0123456789") == std::string::npos;
}

// Reads the xclbin, finds the IP, then reaches it on the device: each step
// says which of them is missing.
int open_card(card *c, const char *options_text, scrub_err *err)
{
    if (parse_options(options_text, c->opt, err))
        return -1;
    const options &o = c->opt;
    xrt::xclbin x;
    if (read_xclbin(o, x, err) || find_ip(c, x, err))
        return -1;
    std::string ip_where = c->ip_name + " (base " + hex(c->base) + " in " + o.xclbin + ")";
    if (!std::getenv("XILINX_XRT"))
        return scrub_err_set(err, ENOENT,
                             "xrt backend: XRT cannot look for device %s, so the filter IP %s is out of reach: "
                             "XILINX_XRT is not set (XRT's install prefix, whose lib/ holds its device shims)",
                             o.device.c_str(), ip_where.c_str());
    try {
        c->device = is_index(o.device) ? xrt::device(static_cast<unsigned>(std::stoul(o.device)))
                                       : xrt::device(o.device);
    } catch (const std::exception &e) {
        return scrub_err_set(err, ENODEV, "xrt backend: device %s is missing, so the filter IP %s is out of reach: %s",
                             o.device.c_str(), ip_where.c_str(), e.what());
    }
    xrt::uuid uuid;
    try {
        uuid = c->device.load_xclbin(x);
    } catch (const std::exception &e) {
        return scrub_err_set(err, error_code(e), "xrt backend: device %s: cannot load %s with the filter IP %s: %s",
                             o.device.c_str(), o.xclbin.c_str(), ip_where.c_str(), e.what());
    }
    try {
        // xrt::ip names one instance as "kernel:{instance}".
        std::string instance = c->ip_name.substr(c->ip_name.find(':') + 1);
        c->ip = xrt::ip(c->device, uuid, std::string(SCRUB_XRT_IP) + ":{" + instance + "}");
    } catch (const std::exception &e) {
        return scrub_err_set(err, error_code(e), "xrt backend: device %s: cannot open the filter IP %s: %s",
                             o.device.c_str(), ip_where.c_str(), e.what());
    }
    return 0;
}

} // namespace

extern "C" {

const struct scrub_hal_backend scrub_hal_xrt_backend = {"xrt", run, close_ctx};

void *scrub_hal_xrt_open(const char *options, struct scrub_err *err)
{
    card *c = new (std::nothrow) card;
    if (!c) {
        scrub_err_set(err, ENOMEM, "out of memory opening the xrt backend");
        return nullptr;
    }
    int rc;
    try {
        rc = open_card(c, options, err);
    } catch (const std::bad_alloc &) {
        rc = scrub_err_set(err, ENOMEM, "out of memory opening the xrt backend");
    }
    if (rc) {
        delete c;
        return nullptr;
    }
    return c;
}

void scrub_hal_xrt_where(const void *ctx, struct scrub_xrt_where *out)
{
    auto c = static_cast<const card *>(ctx);
    out->device = c->opt.device.c_str();
    out->ip = c->ip_name.c_str();
    out->base = c->base;
}

} // extern "C"
