/* A qemu TCG plugin counting the guest instructions executed inside given address ranges.

   Loaded as   qemu-<arch> -plugin qemu_count.so,r=LO:HI[,r=LO:HI...],out=FILE PROGRAM
   it adds one to a counter before every instruction whose address lies in [LO, HI)
   (decided once, when qemu translates a block; the addition itself is an inline TCG op,
   so counting costs little) and writes "instructions N" to FILE when the program exits.

   Debian's qemu-user is built with plugin support but ships neither plugins nor the API
   header, so the few entry points used here are declared by hand; they are stable since
   the plugin API's version 1 (qemu 4.2) and qemu refuses a plugin whose version it does
   not support. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t plugin_id;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_info;

enum { INLINE_ADD_U64 = 0 };
enum { MAX_RANGES = 64 };

typedef void (*tb_translated_fn)(plugin_id id, struct qemu_plugin_tb *tb);
typedef void (*exit_fn)(plugin_id id, void *data);

extern void qemu_plugin_register_vcpu_tb_trans_cb(plugin_id id, tb_translated_fn fn);
extern void qemu_plugin_register_atexit_cb(plugin_id id, exit_fn fn, void *data);
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
extern struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
extern uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
extern void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, int op, void *ptr,
                                                       uint64_t imm);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t range_lo[MAX_RANGES], range_hi[MAX_RANGES];
static int ranges;
static uint64_t executed;
static char out_path[4096];

static int counted(uint64_t addr)
{
    for (int i = 0; i < ranges; i++)
        if (addr >= range_lo[i] && addr < range_hi[i])
            return 1;
    return 0;
}

static void on_translate(plugin_id id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    (void)id;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        if (counted(qemu_plugin_insn_vaddr(insn)))
            qemu_plugin_register_vcpu_insn_exec_inline(insn, INLINE_ADD_U64, &executed, 1);
    }
}

static void write_count(plugin_id id, void *data)
{
    (void)id;
    (void)data;
    FILE *f = fopen(out_path, "w");
    if (f == NULL)
        return; /* no file: the host reports that the count is missing */
    fprintf(f, "instructions %llu\n", (unsigned long long)executed);
    fclose(f);
}

__attribute__((visibility("default"))) int qemu_plugin_install(plugin_id id, const struct qemu_info *info,
                                                               int argc, char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "r=", 2) == 0 && ranges < MAX_RANGES) {
            char *end;
            range_lo[ranges] = strtoull(arg + 2, &end, 0);
            if (*end != ':')
                return -1;
            range_hi[ranges] = strtoull(end + 1, &end, 0);
            if (*end != '\0' || range_hi[ranges] <= range_lo[ranges])
                return -1;
            ranges++;
        } else if (strncmp(arg, "out=", 4) == 0 && strlen(arg + 4) < sizeof out_path) {
            strcpy(out_path, arg + 4);
        } else {
            return -1; /* an argument this plugin does not know: qemu says the plugin failed */
        }
    }
    if (ranges == 0 || out_path[0] == '\0')
        return -1;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, write_count, NULL);
    return 0;
}
