#!/usr/bin/env node
'use strict';
// Regenerates src/events/data/*.json from the reference tables in ../shared/data
// (sysdig 0.29.3's event_table.c, flags_table.c and syscall names, exported as JSON).
// The output is committed: the project ships its own table and never reads ../shared at run time.
// Usage: node scripts/gen-event-table.js [path/to/shared/data]
const fs = require('node:fs');
const path = require('node:path');

const src = process.argv[2] || path.join(__dirname, '..', '..', 'shared', 'data');
const out = path.join(__dirname, '..', 'src', 'events', 'data');
fs.mkdirSync(out, { recursive: true });

const table = JSON.parse(fs.readFileSync(path.join(src, 'scap-event-table.json'), 'utf8'));
const fmt = { PF_NA: 0, PF_DEC: 1, PF_HEX: 2, PF_OCT: 3, PF_10_PADDED_DEC: 4, PF_ID: 5, PF_DIR: 6 };
const events = table.events.map((e, i) => {
  if (e.id !== i) throw new Error(`event ${i} out of order`);
  return {
    name: e.name,
    dir: e.dir === 'enter' ? 0 : 1,
    category: e.category.replace(/^EC_/, ''),
    flags: e.flags.filter((f) => f !== 'EF_NONE').map((f) => f.replace(/^EF_/, '')),
    nparams: e.nparams,
    params: e.params.slice(0, e.nparams).map((p) => {
      const t = table.pt[p.type];
      if (t === undefined) throw new Error(`unknown param type ${p.type}`);
      let info = p.info;
      const m = /^DIRFD_PARAM\((\d+)\)$/.exec(info || '');
      return [p.name, t, fmt[p.fmt] ?? 0, m ? Number(m[1]) : info];
    }),
  };
});

// Events newer than 0.29.3 that tsdig's probe emits, with falcosecurity/libs' ids and params.
// 0.29.3 skips types >= 336 when reading, so files carrying them stay readable there; the types
// between are placeholders that tsdig's reader skips the same way (flag UNUSED + SKIP).
const EXT_EVENTS = {
  400: { name: 'prctl', dir: 0, category: 'PROCESS', flags: ['MODIFIES_STATE'], nparams: 0, params: [] },
  401: {
    name: 'prctl', dir: 1, category: 'PROCESS', flags: ['MODIFIES_STATE'], nparams: 4,
    params: [['res', 11, 1, null], ['option', 46, 1, 'prctl_options'], ['arg2_str', 9, 0, null], ['arg2_int', 4, 1, null]],
  },
};
const extMax = Math.max(...Object.keys(EXT_EVENTS).map(Number)) + 1;
for (let id = events.length; id < extMax; id++) {
  events.push(EXT_EVENTS[id] ?? { name: 'NA', dir: id & 1, category: 'UNKNOWN', flags: ['UNUSED', 'SKIP'], nparams: 0, params: [] });
}
fs.writeFileSync(path.join(out, 'event-table.json'),
  '[\n' + events.map((e) => JSON.stringify(e)).join(',\n') + '\n]\n');
const flags = JSON.parse(fs.readFileSync(path.join(src, 'scap-flags-tables.json'), 'utf8'));
// libs' prctl_options (flags_table.c); PPM_PR_* equal the kernel's PR_* values
flags.prctl_options = [['PR_GET_DUMPABLE', 3], ['PR_SET_DUMPABLE', 4], ['PR_GET_KEEPCAPS', 7], ['PR_SET_KEEPCAPS', 8],
  ['PR_SET_NAME', 15], ['PR_GET_NAME', 16], ['PR_GET_SECCOMP', 21], ['PR_SET_SECCOMP', 22], ['PR_CAPBSET_READ', 23],
  ['PR_CAPBSET_DROP', 24], ['PR_GET_SECUREBITS', 27], ['PR_SET_SECUREBITS', 28], ['PR_MCE_KILL', 33], ['PR_SET_MM', 35],
  ['PR_SET_CHILD_SUBREAPER', 36], ['PR_GET_CHILD_SUBREAPER', 37], ['PR_SET_NO_NEW_PRIVS', 38], ['PR_GET_NO_NEW_PRIVS', 39],
  ['PR_GET_TID_ADDRESS', 40], ['PR_SET_THP_DISABLE', 41], ['PR_GET_THP_DISABLE', 42], ['PR_CAP_AMBIENT', 47]];
fs.writeFileSync(path.join(out, 'flag-tables.json'),
  '{\n' + Object.entries(flags).map(([k, v]) => JSON.stringify(k) + ': ' + JSON.stringify(v)).join(',\n') + '\n}\n');
const sc = JSON.parse(fs.readFileSync(path.join(src, 'scap-syscall-names.json'), 'utf8'));
// PPM_SC ids falcosecurity/libs added after 0.29.3 (329 on, ppm_events_public.h at 48dfd53): the
// probe sends them in generic events so live output names rseq, statx, … ('-': unused id; a name
// 0.29.3 already has keeps its old id). Files tsdig writes carry 0 there instead (0.29.3 would
// index past its 329-entry table), see src/scap/writer.ts.
const SC_EXT = (
  'open_by_handle_at io_uring_setup io_uring_enter io_uring_register mlock2 getegid32 fsconfig fspick ' +
  'fsmount fsopen open_tree move_mount mount_setattr memfd_create memfd_secret ioperm kexec_file_load ' +
  'pidfd_getfd pidfd_open pidfd_send_signal pkey_alloc pkey_mprotect pkey_free landlock_create_ruleset ' +
  'quotactl_fd landlock_restrict_self landlock_add_rule epoll_pwait2 migrate_pages move_pages preadv2 ' +
  'pwritev2 kcmp sched_setattr mbind epoll_ctl_old lookup_dcookie modify_ldt statx set_mempolicy ' +
  'io_pgetevents set_mempolicy_home_node semtimedop get_kernel_syms readahead futex_waitv getpmsg ' +
  'name_to_handle_at process_mrelease nfsservctl epoll_wait_old rseq create_module - sched_getattr ' +
  'faccessat2 _sysctl query_module get_mempolicy sync_file_range process_madvise membarrier iopl ' +
  'close_range fanotify_mark recv send sched_process_exit sched_switch page_fault_user ' +
  'page_fault_kernel signal_deliver timerfd s390_pci_mmio_read sigaction s390_pci_mmio_write readdir ' +
  's390_sthyi sigsuspend idle s390_runtime_instr sigreturn s390_guarded_storage cachestat fchmodat2 ' +
  'map_shadow_stack riscv_flush_icache riscv_hwprobe futex_wake futex_requeue futex_wait oldstat ' +
  'switch_endian multiplexer oldlstat spu_create sync_file_range2 oldfstat spu_run swapcontext ' +
  'pciconfig_write rtas pciconfig_read sys_debug_setcontext vm86 oldolduname subpage_prot ' +
  'pciconfig_iobase listmount statmount lsm_get_self_attr lsm_set_self_attr lsm_list_modules mseal ' +
  'uretprobe removexattrat listxattrat getxattrat setxattrat open_tree_attr file_getattr file_setattr ' +
  'listns uprobe rseq_slice_yield').split(' ');
const scBase = Object.keys(sc).length;
const known = new Set(Object.values(sc));
SC_EXT.forEach((n, i) => {
  if (n !== '-' && !known.has(n)) sc[scBase + i] = n;
});
fs.writeFileSync(path.join(out, 'syscall-names.json'), JSON.stringify(sc) + '\n');
console.log(`wrote ${events.length} events, ${Object.keys(flags).length} flag tables, ${Object.keys(sc).length} syscall names to ${out}`);
