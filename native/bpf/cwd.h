/* cwd param of the execve/clone exit events: the task's working directory as d_path() gives it
 * (relative to the task's root, so a container process shows its own path), as sysdig's kernel
 * module filled it before d_path became unusable from its hook. d_path is not callable from
 * tp_btf, so the dentries are walked here (up to CWD_DEPTH steps, crossing mount points).
 *
 * The path is built backwards in a scratch area at the end of the scratch buffer (above anything
 * the event itself uses at this point), then copied in place. Only a masked offset changes from
 * one step to the next, so the verifier prunes the loop instead of walking every branch. */
#pragma once

#define CWD_DEPTH 24
#define CWD_MAX 4096
/* room for a 255-byte name written at the lowest offset: base + 4095 + 1 + 255 < buffer size */
#define CWD_BASE (2 * TS_HALF + 64 - CWD_MAX - 257)

/* A global function: the verifier checks it once, on its own, rather than at every path into
 * the process-event code (inlined, its loop pushed sys_exit past the 1M-instruction limit).
 * Writes the NUL-terminated path at s->buf[start]; returns its length, or 0 when unknown. */
__noinline int tsdig_put_cwd(struct scratch *s, __u32 start)
{
	if (!s || start >= TS_LIMIT)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	struct fs_struct *fs = BPF_CORE_READ(t, fs);
	if (!fs)
		return 0;
	struct dentry *d = BPF_CORE_READ(fs, pwd.dentry);
	struct vfsmount *vm = BPF_CORE_READ(fs, pwd.mnt);
	struct dentry *root_d = BPF_CORE_READ(fs, root.dentry);
	struct vfsmount *root_m = BPF_CORE_READ(fs, root.mnt);
	__u64 mnt_off = bpf_core_field_offset(struct mount, mnt);
	struct mount *m = (struct mount *)((void *)vm - mnt_off);
	__u32 off = CWD_MAX;
	int done = 0;
	for (int j = 0; j < CWD_DEPTH; j++) {
		/* each path into this step leaves off and the pointers in different states: forgotten,
		 * the paths meet again at every step (62k -> 25k insns processed; see forget_u64()) */
		off = scratch_forget(s, off);
		d = (struct dentry *)scratch_forget(s, (__u64)d);
		vm = (struct vfsmount *)scratch_forget(s, (__u64)vm);
		m = (struct mount *)scratch_forget(s, (__u64)m);
		if (!d || (d == root_d && vm == root_m)) {
			done = 1;
			break;
		}
		struct dentry *mroot = BPF_CORE_READ(vm, mnt_root);
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		if (d == mroot || d == parent) {
			/* the root of this mount: go on from where it is mounted */
			struct mount *pm = BPF_CORE_READ(m, mnt_parent);
			if (!pm || pm == m) {
				done = 1;
				break;
			}
			d = BPF_CORE_READ(m, mnt_mountpoint);
			m = pm;
			vm = (struct vfsmount *)((void *)pm + mnt_off);
			continue;
		}
		__u32 len = BPF_CORE_READ(d, d_name.len);
		const unsigned char *name = BPF_CORE_READ(d, d_name.name);
		if (len > 255 || len + 1 > off)
			break;
		off -= len + 1;
		off &= CWD_MAX - 1;
		len &= 255;
		s->buf[CWD_BASE + off] = '/';
		if (len && bpf_probe_read_kernel(&s->buf[CWD_BASE + off + 1], len, name))
			break;
		d = parent;
	}
	if (!done) /* too deep or unreadable: empty rather than a wrong path */
		return 0;
	__u32 n = CWD_MAX - off;
	__u32 lim = TS_LIMIT - start - 1; /* room for the NUL */
	if (n > lim)
		n = lim;
	if (n > CWD_MAX)
		n = CWD_MAX;
	if (n == 0) {
		s->buf[start & TS_MASK] = '/';
		n = 1;
	} else if (bpf_probe_read_kernel(&s->buf[start & TS_MASK], n, &s->buf[(CWD_BASE + off) & 0x3fff])) {
		return 0;
	}
	s->buf[(start + n) & 0x3fff] = 0;
	return n + 1;
}

static __always_inline void put_cwd(struct ev *e)
{
	__u64 p = e->pos;
	int n = p < TS_LIMIT ? tsdig_put_cwd(e->s, p) : 0;
	if (n <= 0 || n > CWD_MAX + 1) {
		put_str_empty(e);
		return;
	}
	e->pos = p + n;
	set_len(e, n);
}
