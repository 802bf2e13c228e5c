/* Writes an xclbin whose only section is an IP_LAYOUT of the kernels named
 * on the command line, laid out by XRT's own xclbin.h. It stands in for
 * `xclbinutil --add-section IP_LAYOUT:JSON:...`: Debian's libxrt-utils
 * ships xclbinutil's wrapper script without the program it runs
 * (/usr/bin/unwrapped/xclbinutil).
 *
 * Usage: make_xclbin OUT [KERNEL:INSTANCE@BASE ...], the IPs in base
 * address order as IP_LAYOUT wants them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xclbin.h>

static int usage(const char *why)
{
    fprintf(stderr, "make_xclbin: %s\nusage: make_xclbin OUT [KERNEL:INSTANCE@BASE ...]\n", why);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage("no output file");
    int n = argc - 2;
    /* struct ip_layout holds one ip_data; the others follow it. */
    size_t layout_size = sizeof(struct ip_layout) + (size_t)(n > 1 ? n - 1 : 0) * sizeof(struct ip_data);
    size_t size = sizeof(struct axlf) + layout_size;
    unsigned char *image = calloc(1, size);
    if (!image)
        return usage("out of memory");

    struct axlf *top = (struct axlf *)image;
    memcpy(top->m_magic, "xclbin2", 8);
    top->m_signature_length = -1;
    memset(top->reserved, 0xff, sizeof(top->reserved));
    top->m_header.m_length = size;
    top->m_header.m_versionMajor = 2;
    top->m_header.m_mode = XCLBIN_FLAT;
    for (unsigned i = 0; i < sizeof(top->m_header.uuid); i++)
        top->m_header.uuid[i] = (unsigned char)(0x5c + i); /* any fixed uuid */
    top->m_header.m_numSections = 1;
    struct axlf_section_header *section = &top->m_sections[0];
    section->m_sectionKind = IP_LAYOUT;
    snprintf(section->m_sectionName, sizeof(section->m_sectionName), "ip_layout");
    section->m_sectionOffset = sizeof(struct axlf);
    section->m_sectionSize = layout_size;

    struct ip_layout *layout = (struct ip_layout *)(image + sizeof(struct axlf));
    layout->m_count = n;
    for (int i = 0; i < n; i++) {
        char *arg = argv[2 + i], *at = strrchr(arg, '@'), *end = NULL;
        if (!at || at == arg || (size_t)(at - arg) >= sizeof(layout->m_ip_data[i].m_name))
            return usage("an IP is KERNEL:INSTANCE@BASE, its name under 64 characters");
        errno = 0;
        unsigned long long base = strtoull(at + 1, &end, 0);
        if (errno || end == at + 1 || *end)
            return usage("an IP's base address is a number");
        struct ip_data *ip = &layout->m_ip_data[i];
        ip->m_type = IP_KERNEL;
        ip->properties = (uint32_t)AP_CTRL_NONE << IP_CONTROL_SHIFT; /* a register file, not a start/done kernel */
        ip->m_base_address = base;
        memcpy(ip->m_name, arg, (size_t)(at - arg));
    }

    FILE *f = fopen(argv[1], "wb");
    if (!f || fwrite(image, 1, size, f) != size || fclose(f)) {
        fprintf(stderr, "make_xclbin: cannot write %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    free(image);
    return 0;
}
