// SPDX-License-Identifier: GPL-2.0
/* tsdig live capture: syscall enter/exit -> sysdig-format (scap v2) event records in a ring buffer.
 * CO-RE, x86_64 only. See native/README.md. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "tsdig_shared.h"
#include "syscalls_x86_64.h"
#include "builder.h"
#include "flags.h"
#include "events.h"
#include "cwd.h"

char LICENSE[] SEC("license") = "GPL";

/* ---- configuration (set by userspace before load; the verifier prunes on it) ---- */
const volatile __u32 self_tgid = 0;
const volatile __u32 filter_tgid = 0;
const volatile __u32 snaplen = 80;
const volatile __u64 boot_to_epoch_ns = 0;
const volatile __u64 wakeup_bytes = 1 << 20;
const volatile __u16 ppm_sc_of[SC_TABLE_SIZE] = PPM_SC_TABLE_INIT;

#define PATH_MAX_ 4096
#define ARGS_MAX 4096
#define ENV_MAX 2048
#define EXE_MAX 1024
#define MAX_IOVS 8
#define MAX_POLLFDS 16

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

static __always_inline struct scratch *get_scratch(void)
{
	__u32 z = 0;
	return bpf_map_lookup_elem(&scratch_map, &z);
}

static __always_inline void submit(struct ev *e, __u64 tid)
{
	struct scratch *s = e->s;
	__u64 pos = e->pos;
	if (pos > TS_HALF || e->idx != e->n) {
		s->st.errors++;
		return;
	}
	barrier_var(pos);
	if (pos > TS_HALF)
		return;
	*(__u64 *)&s->buf[pos] = 0; /* zero the pad */
	__u32 reclen = (pos + 7) & ~7ULL;
	*(__u32 *)&s->buf[0] = reclen;
	*(__u16 *)&s->buf[4] = bpf_get_smp_processor_id();
	*(__u16 *)&s->buf[6] = e->rflags;
	*(__u64 *)&s->buf[8] = bpf_ktime_get_boot_ns() + boot_to_epoch_ns;
	*(__u64 *)&s->buf[16] = tid;
	*(__u32 *)&s->buf[24] = pos - TSDIG_REC_PREFIX;
	*(__u16 *)&s->buf[28] = e->type;
	*(__u32 *)&s->buf[30] = e->n;
	__u64 fl = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	barrier_var(reclen);
	if (reclen > TS_HALF + 8 || reclen < 8)
		return;
	if (bpf_ringbuf_output(&rb, s->buf, reclen, fl)) {
		s->st.drops++;
	} else {
		s->st.events++;
		s->st.bytes += reclen;
	}
}

/* ---- task / fd helpers ----
 * Kernel pointers are followed with BPF_CORE_READ (probe reads) rather than direct BTF loads:
 * the verifier answers each direct load of a pointer field with two by-name searches through
 * the whole vmlinux BTF (btf_nested_type_is_trusted), ~30% of the load time. */

static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct files_struct *files = BPF_CORE_READ(t, files);
	if (!files || fd < 0)
		return NULL;
	struct fdtable *fdt = BPF_CORE_READ(files, fdt);
	if (!fdt)
		return NULL;
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	if ((unsigned long)fd >= max)
		return NULL;
	struct file **arr = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &arr[fd & 0xfffff]);
	return f;
}

#define S_IFMT_ 00170000
#define S_IFSOCK_ 0140000

static __always_inline struct sock *file_sock(struct file *f)
{
	if (!f)
		return NULL;
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	umode_t mode = BPF_CORE_READ(ino, i_mode);
	if ((mode & S_IFMT_) != S_IFSOCK_)
		return NULL;
	struct socket *so = BPF_CORE_READ(f, private_data);
	return BPF_CORE_READ(so, sk);
}

static __always_inline __u32 encode_dev(__u32 kdev)
{
	__u32 major = kdev >> 20, minor = kdev & 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
}

static __always_inline __u32 file_dev(struct file *f)
{
	if (!f)
		return 0;
	dev_t d = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	return encode_dev(d);
}

static __always_inline __u64 file_ino(struct file *f)
{
	if (!f)
		return 0;
	return BPF_CORE_READ(f, f_inode, i_ino);
}

/* ---- sockets ---- */

#define AF_UNIX_ 1
#define AF_INET_ 2
#define AF_INET6_ 10

static __always_inline __u16 bswap16(__u16 v)
{
	return (v >> 8) | (v << 8);
}

/* SOCKADDR from a user sockaddr */
static __always_inline void put_sockaddr_user(struct ev *e, const void *ua, long ulen)
{
	__u64 start = e->pos;
	if (!ua || ulen < 2 || start >= TS_LIMIT) {
		put_empty(e);
		return;
	}
	__u16 fam = 0;
	if (bpf_probe_read_user(&fam, 2, ua)) {
		put_empty(e);
		return;
	}
	if (fam == AF_INET_) {
		struct { __u16 f; __u16 port; __u32 addr; } sin = {};
		bpf_probe_read_user(&sin, sizeof(sin), ua);
		append_u8(e, AF_INET_);
		append_u32(e, sin.addr);
		append_u16(e, bswap16(sin.port));
	} else if (fam == AF_INET6_) {
		struct { __u16 f; __u16 port; __u32 flow; __u8 addr[16]; } sin6 = {};
		bpf_probe_read_user(&sin6, sizeof(sin6), ua);
		append_u8(e, AF_INET6_);
		append_bytes16(e, sin6.addr);
		append_u16(e, bswap16(sin6.port));
	} else if (fam == AF_UNIX_) {
		append_u8(e, AF_UNIX_);
		__u8 first = 0;
		bpf_probe_read_user(&first, 1, ua + 2);
		if (ulen <= 2) {
			append_u8(e, 0);
		} else if (first == 0) { /* abstract */
			append_u8(e, '@');
			if (!append_str_user(e, ua + 3, 108))
				append_u8(e, 0);
		} else if (!append_str_user(e, ua + 2, 109)) {
			append_u8(e, 0);
		}
	} else {
		append_u8(e, fam);
	}
	set_len(e, e->pos - start);
}

struct sk_addrs {
	__u16 family;
	__u16 lport, rport; /* host order */
	__u8 laddr[16], raddr[16];
};

static __always_inline int sk_read_addrs(struct sock *sk, struct sk_addrs *a)
{
	if (!sk)
		return -1;
	a->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	a->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	a->rport = bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (a->family == AF_INET_) {
		__u32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 r = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(a->laddr, &l, 4);
		__builtin_memcpy(a->raddr, &r, 4);
	} else if (a->family == AF_INET6_) {
		BPF_CORE_READ_INTO(&a->laddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&a->raddr, sk, __sk_common.skc_v6_daddr);
	}
	return 0;
}

/* Override the remote end with a user sockaddr (sendto/recvfrom on unconnected sockets). */
static __always_inline void addrs_from_user(struct sk_addrs *a, const void *ua, long ulen)
{
	if (!ua || ulen < 2)
		return;
	__u16 fam = 0;
	bpf_probe_read_user(&fam, 2, ua);
	if (fam == AF_INET_ && a->family == AF_INET_ && ulen >= 8) {
		struct { __u16 f; __u16 port; __u32 addr; } sin = {};
		bpf_probe_read_user(&sin, sizeof(sin), ua);
		__builtin_memcpy(a->raddr, &sin.addr, 4);
		a->rport = bswap16(sin.port);
	} else if (fam == AF_INET6_ && a->family == AF_INET6_ && ulen >= 24) {
		struct { __u16 f; __u16 port; __u32 flow; __u8 addr[16]; } sin6 = {};
		bpf_probe_read_user(&sin6, sizeof(sin6), ua);
		__builtin_memcpy(a->raddr, sin6.addr, 16);
		a->rport = bswap16(sin6.port);
	}
}

/* SOCKTUPLE for a socket fd. inbound: remote->local (accept, recv*), else local->remote. */
static __always_inline void put_tuple_fd(struct ev *e, long fd, int inbound, const void *ua, long ulen)
{
	__u64 start = e->pos;
	struct sock *sk = file_sock(fd_file(fd));
	struct sk_addrs a = {};
	if (!sk || start >= TS_LIMIT || sk_read_addrs(sk, &a)) {
		put_empty(e);
		return;
	}
	if (a.family == AF_INET_ || a.family == AF_INET6_) {
		addrs_from_user(&a, ua, ulen);
		append_u8(e, a.family);
		if (a.family == AF_INET_) {
			__u32 l, r;
			__builtin_memcpy(&l, a.laddr, 4);
			__builtin_memcpy(&r, a.raddr, 4);
			if (inbound) {
				append_u32(e, r); append_u16(e, a.rport);
				append_u32(e, l); append_u16(e, a.lport);
			} else {
				append_u32(e, l); append_u16(e, a.lport);
				append_u32(e, r); append_u16(e, a.rport);
			}
		} else {
			if (inbound) {
				append_bytes16(e, a.raddr); append_u16(e, a.rport);
				append_bytes16(e, a.laddr); append_u16(e, a.lport);
			} else {
				append_bytes16(e, a.laddr); append_u16(e, a.lport);
				append_bytes16(e, a.raddr); append_u16(e, a.rport);
			}
		}
	} else if (a.family == AF_UNIX_) {
		struct unix_sock *us = (struct unix_sock *)sk;
		struct sock *peer = BPF_CORE_READ(us, peer);
		append_u8(e, AF_UNIX_);
		append_u64(e, (__u64)sk);
		append_u64(e, (__u64)peer);
		struct unix_address *addr = BPF_CORE_READ(us, addr);
		if (!addr && peer)
			addr = BPF_CORE_READ((struct unix_sock *)peer, addr);
		__u32 n = 0;
		if (addr) {
			int alen = BPF_CORE_READ(addr, len);
			char *path = (char *)&addr->name[0].sun_path[0];
			char c0 = 0;
			bpf_probe_read_kernel(&c0, 1, path);
			if (alen > 2 && c0 == 0) {
				append_u8(e, '@');
				n = append_str_kernel(e, path + 1, 108);
				if (!n)
					append_u8(e, 0);
				n = 1;
			} else if (alen > 2) {
				n = append_str_kernel(e, path, 109);
			}
		}
		if (!n)
			append_u8(e, 0);
	} else {
		put_empty(e);
		return;
	}
	set_len(e, e->pos - start);
}

/* ---- process info (execve / clone exit) ---- */

struct mm_struct___new {
	struct percpu_counter rss_stat[4];
} __attribute__((preserve_access_index));
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

static __always_inline long mm_counter(struct mm_struct *mm, int i)
{
	long v = 0;
	if (bpf_core_field_size(mm->rss_stat) > 64) {
		struct mm_struct___new *m = (void *)mm;
		v = BPF_CORE_READ(m, rss_stat[i & 3].count);
	} else {
		struct mm_struct___old *m = (void *)mm;
		v = BPF_CORE_READ(m, rss_stat.count[i & 3].counter);
	}
	return v < 0 ? 0 : v;
}

static __always_inline void put_vm_stats(struct ev *e, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	__u32 vsz = 0, rss = 0, swp = 0;
	if (mm) {
		vsz = BPF_CORE_READ(mm, total_vm) * 4; /* pages -> KiB (4 KiB pages) */
		rss = (mm_counter(mm, 0) + mm_counter(mm, 1) + mm_counter(mm, 3)) * 4;
		swp = mm_counter(mm, 2) * 4;
	}
	put_u32(e, vsz);
	put_u32(e, rss);
	put_u32(e, swp);
}

static __always_inline __u32 pid_vnr(struct pid *p)
{
	if (!p)
		return 0;
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid u = {};
	bpf_probe_read_kernel(&u, sizeof(u), &p->numbers[level & 31]);
	return u.nr;
}


/* cgroups param: "subsys=/path\0" for each subsystem of the task's css_set (bounded depth) */
struct kernfs_node___new {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));


static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(((struct kernfs_node___new *)0)->__parent))
		return BPF_CORE_READ((struct kernfs_node___new *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* cgroups param. The path is the task's cgroup in the default (v2/unified) hierarchy, walked up
 * to CG_MAX_DEPTH levels, and is reported for the cpu, memory and pids controllers:
 * "cpu=/docker/<id>\0memory=/docker/<id>\0pids=/docker/<id>\0". Walking every v1 hierarchy
 * separately costs too much verifier budget. */
static __always_inline void put_cgroups(struct ev *e, struct task_struct *t)
{
	/* the params before leave e->pos in many ranges: start from one state */
	e->pos = forget_u64(e, e->pos);
	__u64 start = e->pos;
	if (start >= TS_LIMIT - 512) {
		put_empty(e);
		return;
	}
	/* Level j up from the task's cgroup goes to s->cg_name[j]; s->cg_len[j] is 0 above the root,
	 * else 1 + the name's length. Map memory, not the stack: the verifier does not track it, so
	 * the paths through both loops differ only in e->pos, which is forgotten at each level (a
	 * depth counter and names on the stack multiplied the paths: seconds of verification). */
	struct scratch *s = e->s;
	struct kernfs_node *kn = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn);
	for (int j = 0; j < CG_MAX_DEPTH; j++) {
		struct kernfs_node *parent = kn_parent(kn); /* 0 once kn is NULL (a failed read zeroes) */
		__u16 len = 0;
		if (parent) { /* the hierarchy root: its name is not part of the path */
			long n = bpf_probe_read_kernel_str(s->cg_name[j], CG_NAME_MAX, BPF_CORE_READ(kn, name));
			len = n > 0 ? n : 1;
		}
		s->cg_len[j] = len;
		kn = parent;
	}
	append_u32(e, 0x3d757063); /* "cpu=" */
	__u64 path = e->pos;
	if (!s->cg_len[0])
		append_u8(e, '/');
	for (int k = CG_MAX_DEPTH - 1; k >= 0; k--) {
		__u32 n = s->cg_len[k];
		if (!n)
			continue;
		__u64 p = forget_u64(e, e->pos);
		if (p >= TS_LIMIT - CG_NAME_MAX - 1)
			continue;
		s->buf[p & TS_MASK] = '/';
		n = (n - 1) & (CG_NAME_MAX - 1);
		if (n && bpf_probe_read_kernel(&s->buf[(p + 1) & TS_MASK], n, s->cg_name[k]))
			n = 0;
		e->pos = p + 1 + n;
	}
	append_u8(e, 0);
	e->pos = forget_u64(e, e->pos);
	__u64 plen = e->pos - path;
	if (plen <= 1100 && e->pos < TS_LIMIT - 2400 && path < TS_HALF) {
		/* memory=<path>\0 pids=<path>\0, copied from the first one */
		append_u32(e, 0x6f6d656d); /* "memo" */
		append_u16(e, 0x7972);     /* "ry" */
		append_u8(e, '=');
		__u32 n = plen & 2047;
		__u64 p = e->pos;
		if (n && !bpf_probe_read_kernel(&e->s->buf[p & TS_MASK], n, &e->s->buf[path & TS_MASK]))
			e->pos = p + n;
		append_u32(e, 0x73646970); /* "pids" */
		append_u8(e, '=');
		p = e->pos;
		if (n && !bpf_probe_read_kernel(&e->s->buf[p & TS_MASK], n, &e->s->buf[path & TS_MASK]))
			e->pos = p + n;
	}
	set_len(e, e->pos - start);
}

/* exe, args, tid, pid, ptid, cwd, fdlimit, pgft_maj, pgft_min, vm_size, vm_rss, vm_swap, comm, cgroups */
static __always_inline void put_proc_common(struct ev *e, struct task_struct *t, int fdlimit_signed)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	unsigned long as = 0, ae = 0;
	if (mm) {
		as = BPF_CORE_READ(mm, arg_start);
		ae = BPF_CORE_READ(mm, arg_end);
	}
	long n0 = 0;
	if (as && ae > as) {
		n0 = put_str_user(e, (void *)as, EXE_MAX);
	} else {
		put_str_empty(e);
	}
	if (as && n0 > 0 && ae > as + n0)
		put_buf_user(e, (void *)(as + n0), ae - as - n0, ARGS_MAX, 1);
	else
		put_empty(e);
	put_pid(e, t->pid);
	put_pid(e, t->tgid);
	put_pid(e, BPF_CORE_READ(t, real_parent, pid));
	put_cwd(e);
	__u64 fdlimit = BPF_CORE_READ(t, signal, rlim[7].rlim_cur); /* RLIMIT_NOFILE */
	put_u64(e, fdlimit);
	put_u64(e, t->maj_flt);
	put_u64(e, t->min_flt);
	put_vm_stats(e, t);
	put_str_kernel(e, t->comm, 16);
	put_cgroups(e, t);
}

/* execve/execveat (is_exec) and clone/fork/vfork/clone3 exit events: 20 params each */
static __always_inline void fill_proc_x(struct ev *e, long ret, __u16 type, int is_exec, __u32 ppm_flags)
{
	struct task_struct *t = bpf_get_current_task_btf();
	ev_begin(e, e->s, type, 20);
	if (is_exec)
		put_errno(e, ret);
	else
		put_pid(e, ret);
	put_proc_common(e, t, !is_exec);
	if (is_exec) {
		struct mm_struct *mm = BPF_CORE_READ(t, mm);
		unsigned long es = 0, ee = 0;
		if (mm) {
			es = BPF_CORE_READ(mm, env_start);
			ee = BPF_CORE_READ(mm, env_end);
		}
		if (es && ee > es)
			put_buf_user(e, (void *)es, ee - es, ENV_MAX, 1);
		else
			put_empty(e);
		__u32 tty_nr = 0;
		struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
		if (tty) {
			int index = BPF_CORE_READ(tty, index);
			int major = BPF_CORE_READ(tty, driver, major);
			int minor_start = BPF_CORE_READ(tty, driver, minor_start);
			tty_nr = encode_dev(((__u32)major << 20) + minor_start + index);
		}
		put_i32(e, tty_nr);
		put_pid(e, pid_vnr(BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID])));
		__s32 loginuid = -1;
		if (bpf_core_field_exists(t->loginuid))
			loginuid = BPF_CORE_READ(t, loginuid.val);
		put_i32(e, loginuid);
		put_u32(e, 0); /* flags (EXE_WRITABLE not computed) */
	} else {
		put_u32(e, ppm_flags);
		const struct cred *c = BPF_CORE_READ(t, cred);
		put_u32(e, c ? BPF_CORE_READ(c, euid.val) : 0);
		put_u32(e, c ? BPF_CORE_READ(c, egid.val) : 0);
		put_pid(e, pid_vnr(BPF_CORE_READ(t, thread_pid)));
		put_pid(e, pid_vnr(BPF_CORE_READ(t, group_leader, thread_pid)));
	}
}

/* ---- io helpers ---- */

struct iovec_ { void *base; __u64 len; };

/* total length of an iovec array (bounded to MAX_IOVS entries) */
static __always_inline __u64 iov_total(const struct iovec_ *iov, long cnt)
{
	__u64 tot = 0;
	if (!iov)
		return 0;
#pragma unroll
	for (int i = 0; i < MAX_IOVS; i++) {
		if (i >= cnt)
			break;
		struct iovec_ v = {};
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		tot += v.len;
	}
	return tot;
}

/* BYTEBUF gathered from an iovec array, up to `want` bytes (<= snaplen) */
static __always_inline void put_iov_data(struct ev *e, const struct iovec_ *iov, long cnt, __u64 want)
{
	__u64 start = e->pos;
	__u32 sl = snaplen;
	if (want > sl)
		want = sl;
	if (!iov || want == 0 || start >= TS_LIMIT) {
		put_empty(e);
		return;
	}
	__u64 got = 0;
#pragma unroll
	for (int i = 0; i < MAX_IOVS; i++) {
		if (i >= cnt || got >= want)
			break;
		e->pos = forget_u64(e, e->pos);
		got = forget_u64(e, got);
		struct iovec_ v = {};
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		__u64 take = v.len;
		if (take > want - got)
			take = want - got;
		got += append_user(e, v.base, take, TS_HALF);
	}
	set_len(e, e->pos - start);
}

struct msghdr_ {
	void *name; int namelen; int pad;
	struct iovec_ *iov; __u64 iovlen;
	void *control; __u64 controllen; unsigned int flags;
};

static __always_inline void put_fdlist(struct ev *e, const void *ufds, long nfds, int revents)
{
	__u64 start = e->pos;
	if (start >= TS_LIMIT) {
		put_empty(e);
		return;
	}
	__u16 cnt = 0;
	append_u16(e, 0);
	if (ufds) {
		for (int i = 0; i < MAX_POLLFDS; i++) {
			if (i >= nfds)
				break;
			struct { int fd; short events; short revents; } p = {};
			if (bpf_probe_read_user(&p, sizeof(p), ufds + i * 8))
				break;
			append_u64(e, (__u64)(__s64)p.fd);
			append_u16(e, poll_events_to_ppm(revents ? p.revents : p.events));
			cnt++;
		}
	}
	e->pos = forget_u64(e, e->pos);
	if (start < TS_HALF)
		*(__u16 *)&e->s->buf[start & TS_MASK] = cnt;
	set_len(e, e->pos - start);
}

static __always_inline __u64 reltime_user(const void *uts)
{
	struct { __s64 sec; __s64 nsec; } ts = {};
	if (!uts || bpf_probe_read_user(&ts, sizeof(ts), uts))
		return (__u64)-1;
	return ts.sec * 1000000000ULL + ts.nsec;
}

static __always_inline __u64 user_u64(const void *p, __u64 dflt)
{
	__u64 v = dflt;
	if (p && bpf_probe_read_user(&v, 8, p))
		v = dflt;
	return v;
}
static __always_inline __u32 user_u32(const void *p, __u32 dflt)
{
	__u32 v = dflt;
	if (p && bpf_probe_read_user(&v, 4, p))
		v = dflt;
	return v;
}

#define A0 (regs->di)
#define A1 (regs->si)
#define A2 (regs->dx)
#define A3 (regs->r10)
#define A4 (regs->r8)
#define A5 (regs->r9)
#define P(x) ((void *)(x))

static __always_inline int filtered(__u64 pt)
{
	__u32 tgid = pt >> 32;
	if (tgid == self_tgid)
		return 1;
	if (filter_tgid && tgid != filter_tgid)
		return 1;
	return 0;
}

#include "fill_enter.h"
#include "fill_exit.h"

/* ---- programs ----
 * One dispatcher per syscall tracepoint tail-calls (enter_progs/exit_progs, indexed by syscall
 * number) into one small program per syscall with a dedicated event. Each of those calls
 * fill_enter()/fill_exit() with a constant syscall number, so the compiler keeps only that
 * syscall's case and the verifier walks each filler once, alone: ~0.1 s of verification in all,
 * where the single big switch took seconds (states from every case met in the shared code).
 * The list of fillers is generated at build time from the case labels of fill_enter.h and
 * fill_exit.h (native/scripts/build-bpf.sh → fillers.h). A syscall without a filler falls
 * through the tail call to the generic event, built by the dispatcher itself. The addon fills
 * the program arrays after the load and attaches only the dispatchers. */

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SC_TABLE_SIZE);
	__type(key, __u32);
	__type(value, __u32);
} enter_progs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, TSDIG_PROC_SLOT + 1);
	__type(key, __u32);
	__type(value, __u32);
} exit_progs SEC(".maps");
_Static_assert(TSDIG_PROC_SLOT >= SC_TABLE_SIZE, "tx_proc's slot must not be a syscall's");

static __always_inline int enter_one(struct pt_regs *regs, long id)
{
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct ev e = {};
	e.s = s;
	if (fill_enter(&e, regs, id))
		return 0;
	submit(&e, (__u32)bpf_get_current_pid_tgid());
	return 0;
}

static __always_inline int exit_one(void *ctx, struct pt_regs *regs, long id, long ret)
{
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct ev e = {};
	e.s = s;
	struct proc_req pr = {};
	int r = fill_exit(&e, regs, id, ret, &pr);
	if (r == 2) {
		/* execve/clone family: one shared program builds these (verified once) */
		s->pr_type = pr.type;
		s->pr_is_exec = pr.is_exec;
		s->pr_flags = pr.flags;
		bpf_tail_call(ctx, &exit_progs, TSDIG_PROC_SLOT);
		return 0;
	}
	if (r)
		return 0;
	submit(&e, (__u32)bpf_get_current_pid_tgid());
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tx_proc, struct pt_regs *regs, long ret)
{
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct ev e = {};
	e.s = s;
	fill_proc_x(&e, ret, s->pr_type, s->pr_is_exec, s->pr_flags);
	submit(&e, (__u32)bpf_get_current_pid_tgid());
	return 0;
}

/* te_<nr> / tx_<nr>: the addon reads the syscall number from the program name */
#define ENTER_PROG_N(nr)                                                        \
	SEC("tp_btf/sys_enter")                                                 \
	int BPF_PROG(te_##nr, struct pt_regs *regs, long id)                    \
	{                                                                       \
		return enter_one(regs, nr);                                     \
	}
#define EXIT_PROG_N(nr)                                                         \
	SEC("tp_btf/sys_exit")                                                  \
	int BPF_PROG(tx_##nr, struct pt_regs *regs, long ret)                   \
	{                                                                       \
		return exit_one(ctx, regs, nr, ret);                               \
	}
/* one more expansion step so SYS_xxx becomes its number before it is pasted into the name */
#define ENTER_PROG(sys) ENTER_PROG_N(sys)
#define EXIT_PROG(sys) EXIT_PROG_N(sys)
#include "fillers.h"

SEC("tp_btf/sys_enter")
int BPF_PROG(tsdig_sys_enter, struct pt_regs *regs, long id)
{
	__u64 pt = bpf_get_current_pid_tgid();
	if (filtered(pt) || id < 0 || id >= SC_TABLE_SIZE)
		return 0;
	bpf_tail_call(ctx, &enter_progs, id);
	/* no filler for this syscall: generic event */
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct ev e = {};
	ev_begin(&e, s, PPME_GENERIC_E, 2);
	put_u16(&e, ppm_sc_of[id & (SC_TABLE_SIZE - 1)]);
	put_u16(&e, id);
	submit(&e, (__u32)pt);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tsdig_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 pt = bpf_get_current_pid_tgid();
	if (filtered(pt))
		return 0;
	long id = regs->orig_ax;
	if (id < 0 || id >= SC_TABLE_SIZE)
		return 0;
	bpf_tail_call(ctx, &exit_progs, id);
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct ev e = {};
	ev_begin(&e, s, PPME_GENERIC_E + 1, 1);
	put_u16(&e, ppm_sc_of[id & (SC_TABLE_SIZE - 1)]);
	submit(&e, (__u32)pt);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tsdig_proc_exit, struct task_struct *p)
{
	__u64 pt = bpf_get_current_pid_tgid();
	if (filtered(pt))
		return 0;
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct ev e = {};
	int code = p->exit_code;
	ev_begin(&e, s, PPME_PROCEXIT_1_E, 4);
	put_errno(&e, code);
	put_errno(&e, (code >> 8) & 0xff);
	put_u8(&e, code & 0x7f);
	put_u8(&e, (code & 0x80) ? 1 : 0);
	submit(&e, (__u32)pt);
	return 0;
}
