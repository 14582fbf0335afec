/* Shared between the BPF program and the N-API addon. */
#pragma once

/* One record in the ring buffer (and in a batch handed to JS):
 *   u32 reclen (incl. this 8-byte prefix, multiple of 8), u16 cpu, u16 flags,
 *   scap v2 event (26-byte header, nparams x u16 lengths, values), zero pad to 8. */
#define TSDIG_REC_PREFIX 8
#define TSDIG_EVT_HDR 26

/* record flags */
#define TSDIG_RF_STATE_ONLY 0x1 /* reserved */
#define TSDIG_RF_TRUNCATED 0x2  /* a string/buffer param was cut at its bound (not set for snaplen cuts) */

struct tsdig_stats {
	__u64 events; /* records written to the ring */
	__u64 drops;  /* records lost: ring full */
	__u64 bytes;  /* bytes written to the ring */
	__u64 errors; /* records not built (e.g. scratch overflow) */
};

/* Program arrays (enter_progs / exit_progs) hold the per-syscall fillers at their syscall number;
 * exit_progs also holds tx_proc, the execve/clone-family exit builder, at this slot. Fillers are
 * named te_<nr> / tx_<nr>: the addon reads the slot from the name. */
#define TSDIG_PROC_SLOT 512
