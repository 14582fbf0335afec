/* Event builder: writes one sysdig (scap v2) event record into a per-CPU scratch buffer.
 *
 * Layout in scratch->buf:
 *   [0..8)    record prefix: u32 reclen, u16 cpu, u16 flags
 *   [8..34)   scap v2 header: u64 ts, u64 tid, u32 len, u16 type, u32 nparams
 *   [34..)    nparams x u16 lengths, then the values back to back
 *
 * The verifier needs every write offset bounded. All variable-size writes start below
 * TS_HALF and write at most TS_HALF bytes; the buffer is 2*TS_HALF (+ slack) bytes. */
#pragma once

#define TS_HALF 8192
#define TS_MASK (TS_HALF - 1)
#define TS_LIMIT (TS_HALF - 64) /* values never start at or beyond this */
#define TS_LEN_OFF (TSDIG_REC_PREFIX + TSDIG_EVT_HDR)

#define CG_MAX_DEPTH 8  /* cgroup path levels reported */
#define CG_NAME_MAX 128 /* bytes per level, incl. the NUL (a power of two) */

struct scratch {
	struct tsdig_stats st;
	__u8 buf[2 * TS_HALF + 64];
	/* a process exit event handed from its syscall's filler to the shared tx_proc program */
	__u16 pr_type, pr_is_exec;
	__u32 pr_flags;
	__u64 forget; /* see forget_u64() */
	/* put_cgroups(): the names of the cgroup path's levels, leaf first */
	__u16 cg_len[CG_MAX_DEPTH];
	char cg_name[CG_MAX_DEPTH][CG_NAME_MAX];
};

struct ev {
	struct scratch *s;
	__u64 pos;
	__u32 idx;
	__u32 n;
	__u16 type;
	__u16 rflags;
};

static __always_inline void ev_begin(struct ev *e, struct scratch *s, __u16 type, __u32 n)
{
	e->s = s;
	e->type = type;
	e->n = n;
	e->idx = 0;
	e->rflags = 0;
	e->pos = TS_LEN_OFF + 2 * n;
}

/* Returns v with everything the verifier knew about it forgotten: map memory is not tracked, so
 * the value read back is an unknown scalar (at run time it is v). Each variable-length param and
 * each pass of a loop that appends leaves e->pos in a different range on each path (fits, cut,
 * failed read...); the verifier cannot prune paths whose positions differ, so they multiply down
 * the rest of the program (put_cgroups alone took seconds). Forgetting the position after such a
 * param, and at the top of such a loop, lets those paths meet again. Every write still checks its
 * own bounds, so nothing relies on what was forgotten. */
static __always_inline __u64 scratch_forget(struct scratch *s, __u64 v)
{
	volatile __u64 *slot = &s->forget;
	*slot = v;
	return *slot;
}
static __always_inline __u64 forget_u64(struct ev *e, __u64 v)
{
	return scratch_forget(e->s, v);
}

static __always_inline void set_len(struct ev *e, __u32 len)
{
	__u32 off = TS_LEN_OFF + 2 * e->idx;
	if (off < TS_HALF)
		*(__u16 *)&e->s->buf[off & TS_MASK] = (__u16)len;
	e->idx++;
}

static __always_inline void put_empty(struct ev *e)
{
	set_len(e, 0);
}

#define DEF_PUT_FIXED(name, T)                                           \
	static __always_inline void name(struct ev *e, T v)              \
	{                                                                \
		__u64 p = e->pos;                                        \
		if (p >= TS_LIMIT) {                                     \
			set_len(e, 0);                                   \
			return;                                          \
		}                                                        \
		*(T *)&e->s->buf[p & TS_MASK] = v;                       \
		e->pos = p + sizeof(T);                                  \
		set_len(e, sizeof(T));                                   \
	}
DEF_PUT_FIXED(put_u8, __u8)
DEF_PUT_FIXED(put_u16, __u16)
DEF_PUT_FIXED(put_u32, __u32)
DEF_PUT_FIXED(put_u64, __u64)
#define put_i64(e, v) put_u64(e, (__u64)(__s64)(v))
#define put_i32(e, v) put_u32(e, (__u32)(__s32)(v))
#define put_fd(e, v) put_u64(e, (__u64)(__s64)(int)(v))   /* FD: i64 from the int argument */
#define put_errno(e, v) put_u64(e, (__u64)(__s64)(v))     /* ERRNO: i64 */
#define put_pid(e, v) put_u64(e, (__u64)(__s64)(int)(v))  /* PID: i64 */

/* room for a variable write of at most `max` bytes at the current position */
static __always_inline __u32 room(struct ev *e, __u32 max)
{
	__u64 p = e->pos;
	if (p >= TS_LIMIT)
		return 0;
	__u64 r = TS_LIMIT - p;
	__u32 lim = max;
	if (lim > r)
		lim = r;
	return lim;
}

/* Null-terminated user string (CHARBUF/FSPATH/FSRELPATH). NULL pointer -> "(NULL)". */
static __always_inline long put_str_user(struct ev *e, const void *p, __u32 max)
{
	__u64 pos = e->pos;
	if (pos >= TS_LIMIT) {
		set_len(e, 0);
		return 0;
	}
	if (!p) {
		/* "(NULL)\0" */
		*(__u64 *)&e->s->buf[pos & TS_MASK] = 0x00294c4c554e28ULL;
		e->pos = pos + 7;
		set_len(e, 7);
		return 7;
	}
	__u32 lim = room(e, max);
	barrier_var(lim);
	if (lim > TS_HALF)
		lim = TS_HALF;
	if (lim < 2) {
		set_len(e, 0);
		return 0;
	}
	long n = bpf_probe_read_user_str(&e->s->buf[pos & TS_MASK], lim, p);
	if (n <= 0) {
		set_len(e, 0);
		return 0;
	}
	if (n >= lim)
		e->rflags |= TSDIG_RF_TRUNCATED;
	n &= TS_MASK;
	e->pos = forget_u64(e, pos + n);
	set_len(e, n);
	return n;
}

static __always_inline long put_str_kernel(struct ev *e, const void *p, __u32 max)
{
	__u64 pos = e->pos;
	if (pos >= TS_LIMIT || !p) {
		set_len(e, 0);
		return 0;
	}
	__u32 lim = room(e, max);
	barrier_var(lim);
	if (lim > TS_HALF)
		lim = TS_HALF;
	if (lim < 2) {
		set_len(e, 0);
		return 0;
	}
	long n = bpf_probe_read_kernel_str(&e->s->buf[pos & TS_MASK], lim, p);
	if (n <= 0) {
		set_len(e, 0);
		return 0;
	}
	if (n >= lim)
		e->rflags |= TSDIG_RF_TRUNCATED;
	n &= TS_MASK;
	e->pos = forget_u64(e, pos + n);
	set_len(e, n);
	return n;
}

/* an empty CHARBUF: a single NUL */
static __always_inline void put_str_empty(struct ev *e)
{
	put_u8(e, 0);
}

/* Raw user bytes (BYTEBUF). `len` is clamped to `max` (a snaplen cut is not a truncation mark
 * unless mark_trunc). */
static __always_inline __u32 put_buf_user(struct ev *e, const void *p, __u64 len, __u32 max, int mark_trunc)
{
	__u64 pos = e->pos;
	if (!p || len == 0 || pos >= TS_LIMIT) {
		set_len(e, 0);
		return 0;
	}
	__u32 lim = room(e, max);
	__u32 n = lim;
	if (len < n)
		n = len;
	else if (len > n && mark_trunc)
		e->rflags |= TSDIG_RF_TRUNCATED;
	barrier_var(n);
	if (n > TS_HALF)
		n = TS_HALF;
	if (n == 0) {
		set_len(e, 0);
		return 0;
	}
	if (bpf_probe_read_user(&e->s->buf[pos & TS_MASK], n, p)) {
		set_len(e, 0);
		return 0;
	}
	e->pos = forget_u64(e, pos + n);
	set_len(e, n);
	return n;
}

/* Append raw user bytes to the *current* (not yet closed) parameter; returns bytes added. */
static __always_inline __u32 append_user(struct ev *e, const void *p, __u64 len, __u32 max)
{
	__u64 pos = e->pos;
	if (!p || len == 0 || pos >= TS_LIMIT)
		return 0;
	__u32 lim = room(e, max);
	__u32 n = lim;
	if (len < n)
		n = len;
	barrier_var(n);
	if (n > TS_HALF)
		n = TS_HALF;
	if (n == 0)
		return 0;
	if (bpf_probe_read_user(&e->s->buf[pos & TS_MASK], n, p))
		return 0;
	e->pos = pos + n;
	return n;
}

static __always_inline void append_u8(struct ev *e, __u8 v)
{
	__u64 p = e->pos;
	if (p >= TS_LIMIT)
		return;
	e->s->buf[p & TS_MASK] = v;
	e->pos = p + 1;
}
static __always_inline void append_u16(struct ev *e, __u16 v)
{
	__u64 p = e->pos;
	if (p >= TS_LIMIT)
		return;
	*(__u16 *)&e->s->buf[p & TS_MASK] = v;
	e->pos = p + 2;
}
static __always_inline void append_u32(struct ev *e, __u32 v)
{
	__u64 p = e->pos;
	if (p >= TS_LIMIT)
		return;
	*(__u32 *)&e->s->buf[p & TS_MASK] = v;
	e->pos = p + 4;
}
static __always_inline void append_u64(struct ev *e, __u64 v)
{
	__u64 p = e->pos;
	if (p >= TS_LIMIT)
		return;
	*(__u64 *)&e->s->buf[p & TS_MASK] = v;
	e->pos = p + 8;
}
static __always_inline void append_bytes16(struct ev *e, const void *src)
{
	__u64 p = e->pos;
	if (p >= TS_LIMIT)
		return;
	__builtin_memcpy(&e->s->buf[p & TS_MASK], src, 16);
	e->pos = p + 16;
}
/* kernel string appended (incl. NUL); returns bytes */
static __always_inline __u32 append_str_kernel(struct ev *e, const void *p, __u32 max)
{
	__u64 pos = e->pos;
	if (pos >= TS_LIMIT || !p)
		return 0;
	__u32 lim = room(e, max);
	barrier_var(lim);
	if (lim > TS_HALF)
		lim = TS_HALF;
	if (lim < 2)
		return 0;
	long n = bpf_probe_read_kernel_str(&e->s->buf[pos & TS_MASK], lim, p);
	if (n <= 0)
		return 0;
	n &= TS_MASK;
	e->pos = pos + n;
	return n;
}
static __always_inline __u32 append_str_user(struct ev *e, const void *p, __u32 max)
{
	__u64 pos = e->pos;
	if (pos >= TS_LIMIT || !p)
		return 0;
	__u32 lim = room(e, max);
	barrier_var(lim);
	if (lim > TS_HALF)
		lim = TS_HALF;
	if (lim < 2)
		return 0;
	long n = bpf_probe_read_user_str(&e->s->buf[pos & TS_MASK], lim, p);
	if (n <= 0)
		return 0;
	n &= TS_MASK;
	e->pos = pos + n;
	return n;
}
/* poke a byte already written at absolute position */
static __always_inline void poke_u8(struct ev *e, __u64 at, __u8 v)
{
	if (at < TS_HALF)
		e->s->buf[at & TS_MASK] = v;
}
static __always_inline __u8 peek_u8(struct ev *e, __u64 at)
{
	if (at < TS_HALF)
		return e->s->buf[at & TS_MASK];
	return 0;
}
