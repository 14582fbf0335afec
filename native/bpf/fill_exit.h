/* Exit events. Arguments are re-read from pt_regs at sys_exit (still intact on x86_64 except
 * for execve, whose exit event needs none). User buffers are read here, after the call. */
#pragma once

static __always_inline void put_data(struct ev *e, const void *p, long ret)
{
	if (ret > 0)
		put_buf_user(e, p, ret, snaplen, 0);
	else
		put_empty(e);
}

static __always_inline void put_sockopt_val(struct ev *e, __u64 level, __u64 optname, const void *uval, long optlen)
{
	__u64 start = e->pos;
	if (start >= TS_LIMIT) {
		put_empty(e);
		return;
	}
	if (!uval || optlen <= 0) {
		append_u8(e, 0); /* unknown, empty bytebuf */
	} else if (level == 1 && optname == 4) { /* SO_ERROR */
		append_u8(e, 1);
		append_u64(e, (__u64)(-(__s64)(int)user_u32(uval, 0)));
	} else if (level == 1 && (optname == 20 || optname == 21) && optlen >= 16) { /* SO_RCV/SNDTIMEO */
		struct { __s64 sec, usec; } tv = {};
		bpf_probe_read_user(&tv, sizeof(tv), uval);
		append_u8(e, 4);
		append_u64(e, tv.sec * 1000000000ULL + tv.usec * 1000ULL);
	} else if (optlen == 4) {
		append_u8(e, 2);
		append_u32(e, user_u32(uval, 0));
	} else if (optlen == 8) {
		append_u8(e, 3);
		append_u64(e, user_u64(uval, 0));
	} else {
		append_u8(e, 0);
		append_user(e, uval, optlen, 256);
	}
	set_len(e, e->pos - start);
}

static __always_inline void put_rlim_pair(struct ev *e, const void *ur)
{
	struct { __s64 cur, max; } r = { -1, -1 };
	if (ur)
		bpf_probe_read_user(&r, sizeof(r), ur);
	put_i64(e, r.cur);
	put_i64(e, r.max);
}

struct proc_req {
	__u16 type;
	__u16 is_exec;
	__u32 flags;
};

/* returns 0: event filled; 2: a process event (execve, clone, fork, ...) to fill with fill_proc_x()
 * (kept to one call site so the verifier walks that big code once); <0: no event */
static __always_inline int fill_exit(struct ev *e, struct pt_regs *regs, long id, long ret, struct proc_req *pr)
{
	switch (id) {
	case SYS_open: {
		BEGIN(PPME_OPEN_E + 1, 5);
		put_fd(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		put_u32(e, open_flags_to_ppm(A1));
		put_u32(e, open_mode_to_ppm(A1, A2));
		put_u32(e, ret >= 0 ? file_dev(fd_file(ret)) : 0);
		return 0;
	}
	case SYS_openat:
		BEGIN(PPME_OPENAT_E + 1, 6);
		put_fd(e, ret);
		put_fd(e, A0);
		put_str_user(e, P(A1), PATH_MAX_);
		put_u32(e, open_flags_to_ppm(A2));
		put_u32(e, open_mode_to_ppm(A2, A3));
		put_u32(e, ret >= 0 ? file_dev(fd_file(ret)) : 0);
		return 0;
	case SYS_openat2: {
		struct { __u64 flags, mode, resolve; } how = {};
		bpf_probe_read_user(&how, sizeof(how), P(A2));
		BEGIN(PPME_OPENAT2_E + 1, 6);
		put_fd(e, ret);
		put_fd(e, A0);
		put_str_user(e, P(A1), PATH_MAX_);
		put_u32(e, open_flags_to_ppm(how.flags));
		put_u32(e, open_mode_to_ppm(how.flags, how.mode));
		put_u32(e, openat2_resolve_to_ppm(how.resolve));
		return 0;
	}
	case SYS_creat:
		BEGIN(PPME_CREAT_E + 1, 4);
		put_fd(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		put_u32(e, A1 & 07777);
		put_u32(e, ret >= 0 ? file_dev(fd_file(ret)) : 0);
		return 0;
	case SYS_close:
		BEGIN(PPME_CLOSE_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_read:
	case SYS_write:
		BEGIN(id == SYS_read ? PPME_READ_E + 1 : PPME_WRITE_E + 1, 2);
		put_errno(e, ret);
		put_data(e, P(A1), ret);
		return 0;
	case SYS_pread64:
	case SYS_pwrite64:
		BEGIN(id == SYS_pread64 ? PPME_PREAD_E + 1 : PPME_PWRITE_E + 1, 2);
		put_errno(e, ret);
		put_data(e, P(A1), ret);
		return 0;
	case SYS_readv:
	case SYS_preadv:
		BEGIN(id == SYS_readv ? PPME_READV_E + 1 : PPME_PREADV_E + 1, 3);
		put_errno(e, ret);
		put_u32(e, iov_total(P(A1), A2));
		put_iov_data(e, P(A1), A2, ret > 0 ? ret : 0);
		return 0;
	case SYS_writev:
	case SYS_pwritev:
		BEGIN(id == SYS_writev ? PPME_WRITEV_E + 1 : PPME_PWRITEV_E + 1, 2);
		put_errno(e, ret);
		put_iov_data(e, P(A1), A2, ret > 0 ? ret : 0);
		return 0;
	case SYS_socket:
		BEGIN(PPME_SOCKET_E + 1, 1);
		put_fd(e, ret);
		return 0;
	case SYS_bind:
		BEGIN(PPME_BIND_E + 1, 2);
		put_errno(e, ret);
		put_sockaddr_user(e, P(A1), A2);
		return 0;
	case SYS_connect:
		BEGIN(PPME_CONNECT_E + 1, 2);
		put_errno(e, ret);
		if (ret == 0 || ret == -115 /* EINPROGRESS */)
			put_tuple_fd(e, A0, 0, 0, 0);
		else
			put_empty(e);
		return 0;
	case SYS_listen:
		BEGIN(PPME_LISTEN_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_accept:
	case SYS_accept4: {
		BEGIN(id == SYS_accept ? PPME_ACCEPT_E + 1 : PPME_ACCEPT4_E + 1, 5);
		put_fd(e, ret);
		if (ret >= 0)
			put_tuple_fd(e, ret, 1, 0, 0);
		else
			put_empty(e);
		__u32 qlen = 0, qmax = 0;
		struct sock *lsk = file_sock(fd_file(A0));
		if (lsk) {
			qlen = BPF_CORE_READ(lsk, sk_ack_backlog);
			qmax = BPF_CORE_READ(lsk, sk_max_ack_backlog);
		}
		put_u8(e, qmax ? (qlen * 100 / qmax) : 0);
		put_u32(e, qlen);
		put_u32(e, qmax);
		return 0;
	}
	case SYS_sendto:
		BEGIN(PPME_SENDTO_E + 1, 2);
		put_errno(e, ret);
		put_data(e, P(A1), ret);
		return 0;
	case SYS_recvfrom: {
		BEGIN(PPME_RECVFROM_E + 1, 3);
		put_errno(e, ret);
		put_data(e, P(A1), ret);
		if (ret >= 0) {
			long alen = A5 ? (long)(int)user_u32(P(A5), 0) : 0;
			put_tuple_fd(e, A0, 1, P(A4), alen);
		} else {
			put_empty(e);
		}
		return 0;
	}
	case SYS_sendmsg: {
		struct msghdr_ m = {};
		bpf_probe_read_user(&m, sizeof(m), P(A1));
		BEGIN(PPME_SENDMSG_E + 1, 2);
		put_errno(e, ret);
		put_iov_data(e, m.iov, m.iovlen, ret > 0 ? ret : 0);
		return 0;
	}
	case SYS_recvmsg: {
		struct msghdr_ m = {};
		bpf_probe_read_user(&m, sizeof(m), P(A1));
		BEGIN(PPME_RECVMSG_E + 1, 4);
		put_errno(e, ret);
		put_u32(e, ret > 0 ? ret : 0);
		put_iov_data(e, m.iov, m.iovlen, ret > 0 ? ret : 0);
		if (ret >= 0)
			put_tuple_fd(e, A0, 1, m.name, m.namelen);
		else
			put_empty(e);
		return 0;
	}
	case SYS_sendmmsg:
		BEGIN(PPME_SENDMMSG_E + 1, 0);
		return 0;
	case SYS_recvmmsg:
		BEGIN(PPME_RECVMMSG_E + 1, 0);
		return 0;
	case SYS_shutdown:
		BEGIN(PPME_SHUTDOWN_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_getsockname:
		BEGIN(PPME_GETSOCKNAME_E + 1, 0);
		return 0;
	case SYS_getpeername:
		BEGIN(PPME_GETPEERNAME_E + 1, 0);
		return 0;
	case SYS_socketpair: {
		BEGIN(PPME_SOCKETPAIR_E + 1, 5);
		put_errno(e, ret);
		int fds[2] = { -1, -1 };
		if (ret == 0)
			bpf_probe_read_user(fds, sizeof(fds), P(A3));
		put_fd(e, fds[0]);
		put_fd(e, fds[1]);
		struct sock *sk = ret == 0 ? file_sock(fd_file(fds[0])) : NULL;
		struct sock *peer = NULL;
		if (sk && A0 == AF_UNIX_)
			peer = BPF_CORE_READ((struct unix_sock *)sk, peer);
		put_u64(e, (__u64)sk);
		put_u64(e, (__u64)peer);
		return 0;
	}
	case SYS_setsockopt:
	case SYS_getsockopt: {
		long optlen = id == SYS_setsockopt ? (long)(int)A4 : (long)(int)user_u32(P(A4), 0);
		BEGIN(id == SYS_setsockopt ? PPME_SETSOCKOPT_E + 1 : PPME_GETSOCKOPT_E + 1, 6);
		put_errno(e, ret);
		put_fd(e, A0);
		put_u8(e, sockopt_level_to_ppm(A1));
		put_u8(e, A2);
		put_sockopt_val(e, A1, A2, P(A3), optlen);
		put_u32(e, optlen);
		return 0;
	}
	case SYS_execve:
		pr->type = PPME_EXECVE_E + 1;
		pr->is_exec = 1;
		return 2;
	case SYS_execveat:
		pr->type = PPME_EXECVEAT_E + 1;
		pr->is_exec = 1;
		return 2;
	case SYS_clone:
		pr->type = PPME_CLONE_E + 1;
		pr->flags = clone_flags_to_ppm(A0);
		return 2;
	case SYS_fork:
		pr->type = PPME_FORK_E + 1;
		return 2;
	case SYS_vfork:
		pr->type = PPME_VFORK_E + 1;
		pr->flags = clone_flags_to_ppm(0x00004000 | 0x00000100);
		return 2;
	case SYS_clone3:
		pr->type = PPME_CLONE3_E + 1;
		pr->flags = clone_flags_to_ppm(user_u64(P(A0), 0));
		return 2;
	case SYS_dup:
	case SYS_dup2:
	case SYS_dup3:
		BEGIN(PPME_DUP_E + 1, 1);
		put_fd(e, ret);
		return 0;
	case SYS_pipe:
	case SYS_pipe2: {
		BEGIN(PPME_PIPE_E + 1, 4);
		put_errno(e, ret);
		int fds[2] = { -1, -1 };
		if (ret == 0)
			bpf_probe_read_user(fds, sizeof(fds), P(A0));
		put_fd(e, fds[0]);
		put_fd(e, fds[1]);
		put_u64(e, ret == 0 ? file_ino(fd_file(fds[0])) : 0);
		return 0;
	}
	case SYS_eventfd:
	case SYS_eventfd2:
		BEGIN(PPME_EVENTFD_E + 1, 1);
		put_fd(e, ret);
		return 0;
	case SYS_signalfd:
	case SYS_signalfd4:
		BEGIN(PPME_SIGNALFD_E + 1, 1);
		put_fd(e, ret);
		return 0;
	case SYS_timerfd_create:
		BEGIN(PPME_TIMERFD_CREATE_E + 1, 1);
		put_fd(e, ret);
		return 0;
	case SYS_inotify_init:
	case SYS_inotify_init1:
		BEGIN(PPME_INOTIFY_INIT_E + 1, 1);
		put_fd(e, ret);
		return 0;
	case SYS_kill:
		BEGIN(PPME_KILL_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_tkill:
		BEGIN(PPME_TKILL_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_tgkill:
		BEGIN(PPME_TGKILL_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_unlink:
		BEGIN(PPME_UNLINK_E + 1, 2);
		put_errno(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		return 0;
	case SYS_unlinkat:
		BEGIN(PPME_UNLINKAT_E + 1, 4);
		put_errno(e, ret);
		put_fd(e, A0);
		put_str_user(e, P(A1), PATH_MAX_);
		put_u32(e, A2 & 0x200);
		return 0;
	case SYS_rename:
		BEGIN(PPME_RENAME_E + 1, 3);
		put_errno(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		put_str_user(e, P(A1), PATH_MAX_);
		return 0;
	case SYS_renameat:
	case SYS_renameat2:
		BEGIN(id == SYS_renameat ? PPME_RENAMEAT_E + 1 : PPME_RENAMEAT2_E + 1, id == SYS_renameat ? 5 : 6);
		put_errno(e, ret);
		put_fd(e, A0);
		put_str_user(e, P(A1), PATH_MAX_);
		put_fd(e, A2);
		put_str_user(e, P(A3), PATH_MAX_);
		if (id == SYS_renameat2)
			put_u32(e, A4);
		return 0;
	case SYS_mkdir:
		BEGIN(PPME_MKDIR_E + 1, 2);
		put_errno(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		return 0;
	case SYS_mkdirat:
		BEGIN(PPME_MKDIRAT_E + 1, 4);
		put_errno(e, ret);
		put_fd(e, A0);
		put_str_user(e, P(A1), PATH_MAX_);
		put_u32(e, A2);
		return 0;
	case SYS_rmdir:
		BEGIN(PPME_RMDIR_E + 1, 2);
		put_errno(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		return 0;
	case SYS_chdir:
		BEGIN(PPME_CHDIR_E + 1, 2);
		put_errno(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		return 0;
	case SYS_fchdir:
		BEGIN(PPME_FCHDIR_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_getcwd:
		BEGIN(PPME_GETCWD_E + 1, 2);
		put_errno(e, ret);
		if (ret > 0)
			put_str_user(e, P(A0), PATH_MAX_);
		else
			put_empty(e);
		return 0;
	case SYS_stat:
	case SYS_lstat:
		BEGIN(id == SYS_stat ? PPME_STAT_E + 1 : PPME_LSTAT_E + 1, 2);
		put_errno(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		return 0;
	case SYS_fstat:
		BEGIN(PPME_FSTAT_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_symlink:
		BEGIN(PPME_SYMLINK_E + 1, 3);
		put_errno(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		put_str_user(e, P(A1), PATH_MAX_);
		return 0;
	case SYS_symlinkat:
		BEGIN(PPME_SYMLINKAT_E + 1, 4);
		put_errno(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		put_fd(e, A1);
		put_str_user(e, P(A2), PATH_MAX_);
		return 0;
	case SYS_link:
		BEGIN(PPME_LINK_E + 1, 3);
		put_errno(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		put_str_user(e, P(A1), PATH_MAX_);
		return 0;
	case SYS_linkat:
		BEGIN(PPME_LINKAT_E + 1, 6);
		put_errno(e, ret);
		put_fd(e, A0);
		put_str_user(e, P(A1), PATH_MAX_);
		put_fd(e, A2);
		put_str_user(e, P(A3), PATH_MAX_);
		put_u32(e, A4 & 0x1400);
		return 0;
	case SYS_chmod:
		BEGIN(PPME_CHMOD_E + 1, 3);
		put_errno(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		put_u32(e, A1 & 07777);
		return 0;
	case SYS_fchmod:
		BEGIN(PPME_FCHMOD_E + 1, 3);
		put_errno(e, ret);
		put_fd(e, A0);
		put_u32(e, A1 & 07777);
		return 0;
	case SYS_fchmodat:
		BEGIN(PPME_FCHMODAT_E + 1, 4);
		put_errno(e, ret);
		put_fd(e, A0);
		put_str_user(e, P(A1), PATH_MAX_);
		put_u32(e, A2 & 07777);
		return 0;
	case SYS_chroot:
		BEGIN(PPME_CHROOT_E + 1, 2);
		put_errno(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		return 0;
	case SYS_sendfile:
		BEGIN(PPME_SENDFILE_E + 1, 2);
		put_errno(e, ret);
		put_u64(e, user_u64(P(A2), 0));
		return 0;
	case SYS_mmap:
	case SYS_munmap:
	case SYS_brk: {
		struct task_struct *t = bpf_get_current_task_btf();
		BEGIN(id == SYS_mmap ? PPME_MMAP_E + 1 : id == SYS_munmap ? PPME_MUNMAP_E + 1 : PPME_BRK_E + 1, 4);
		put_u64(e, ret); /* mmap/brk: UINT64 address; munmap: ERRNO (same 8 bytes) */
		put_vm_stats(e, t);
		return 0;
	}
	case SYS_mprotect:
		BEGIN(PPME_MPROTECT_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_ioctl:
		BEGIN(PPME_IOCTL_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_poll:
	case SYS_ppoll:
		BEGIN(id == SYS_poll ? PPME_POLL_E + 1 : PPME_PPOLL_E + 1, 2);
		put_errno(e, ret);
		put_fdlist(e, P(A0), A1, 1);
		return 0;
	case SYS_select:
		BEGIN(PPME_SELECT_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_epoll_wait:
		BEGIN(PPME_EPOLLWAIT_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_futex:
		BEGIN(PPME_FUTEX_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_nanosleep:
		BEGIN(PPME_NANOSLEEP_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_setuid:
		BEGIN(PPME_SETUID_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_setgid:
		BEGIN(PPME_SETGID_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_setresuid:
		BEGIN(PPME_SETRESUID_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_setresgid:
		BEGIN(PPME_SETRESGID_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_getuid:
	case SYS_geteuid:
	case SYS_getgid:
	case SYS_getegid:
		BEGIN(id == SYS_getuid ? PPME_GETUID_E + 1 : id == SYS_geteuid ? PPME_GETEUID_E + 1 :
		      id == SYS_getgid ? PPME_GETGID_E + 1 : PPME_GETEGID_E + 1, 1);
		put_u32(e, ret);
		return 0;
	case SYS_getresuid:
	case SYS_getresgid:
		BEGIN(id == SYS_getresuid ? PPME_GETRESUID_E + 1 : PPME_GETRESGID_E + 1, 4);
		put_errno(e, ret);
		put_u32(e, user_u32(P(A0), -1));
		put_u32(e, user_u32(P(A1), -1));
		put_u32(e, user_u32(P(A2), -1));
		return 0;
	case SYS_ptrace: {
		BEGIN(PPME_PTRACE_E + 1, 3);
		put_errno(e, ret);
		__u64 st = e->pos;
		append_u8(e, 0);
		append_u64(e, A2);
		set_len(e, e->pos - st);
		st = e->pos;
		append_u8(e, 0);
		append_u64(e, A3);
		set_len(e, e->pos - st);
		return 0;
	}
	case SYS_mount:
		BEGIN(PPME_MOUNT_E + 1, 4);
		put_errno(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		put_str_user(e, P(A1), PATH_MAX_);
		put_str_user(e, P(A2), 256);
		return 0;
	case SYS_umount2:
		BEGIN(PPME_UMOUNT_E + 1, 2);
		put_errno(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		return 0;
	case SYS_setns:
		BEGIN(PPME_SETNS_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_unshare:
		BEGIN(PPME_UNSHARE_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_access:
		BEGIN(PPME_ACCESS_E + 1, 2);
		put_errno(e, ret);
		put_str_user(e, P(A0), PATH_MAX_);
		return 0;
	case SYS_fcntl:
		BEGIN(PPME_FCNTL_E + 1, 1);
		put_fd(e, ret);
		return 0;
	case SYS_lseek:
		BEGIN(PPME_LSEEK_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_getdents:
	case SYS_getdents64:
		BEGIN(id == SYS_getdents ? PPME_GETDENTS_E + 1 : PPME_GETDENTS64_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_flock:
		BEGIN(PPME_FLOCK_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_splice:
		BEGIN(PPME_SPLICE_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_getrlimit:
	case SYS_setrlimit:
		BEGIN(id == SYS_getrlimit ? PPME_GETRLIMIT_E + 1 : PPME_SETRLIMIT_E + 1, 3);
		put_errno(e, ret);
		put_rlim_pair(e, P(A1));
		return 0;
	case SYS_prlimit64:
		BEGIN(PPME_PRLIMIT_E + 1, 5);
		put_errno(e, ret);
		put_rlim_pair(e, P(A2));
		put_rlim_pair(e, P(A3));
		return 0;
	case SYS_setsid:
		BEGIN(PPME_SETSID_E + 1, 1);
		put_pid(e, ret);
		return 0;
	case SYS_setpgid:
		BEGIN(PPME_SETPGID_E + 1, 1);
		put_pid(e, ret);
		return 0;
	case SYS_bpf: {
		BEGIN(PPME_BPF_E + 1, 1);
		__u64 st = e->pos;
		append_u8(e, ret < 0 ? 1 : 0);
		append_u64(e, ret);
		set_len(e, e->pos - st);
		return 0;
	}
	case SYS_seccomp:
		BEGIN(PPME_SECCOMP_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_userfaultfd:
		BEGIN(PPME_USERFAULTFD_E + 1, 2);
		put_errno(e, ret);
		put_u32(e, open_flags_to_ppm(A0));
		return 0;
	case SYS_copy_file_range:
		BEGIN(PPME_COPY_FILE_RANGE_E + 1, 3);
		put_errno(e, ret);
		put_fd(e, A2);
		put_u64(e, user_u64(P(A3), 0));
		return 0;
	case SYS_semop: {
		struct { __u16 num; __s16 op; __s16 flg; } sb[2] = {};
		long nsops = A2;
		if (ret == 0 && nsops > 0)
			bpf_probe_read_user(sb, nsops > 1 ? 12 : 6, P(A1));
		BEGIN(PPME_SEMOP_E + 1, 8);
		put_errno(e, ret);
		put_u32(e, nsops);
		put_u16(e, sb[0].num);
		put_u16(e, sb[0].op);
		put_u16(e, sb[0].flg);
		put_u16(e, sb[1].num);
		put_u16(e, sb[1].op);
		put_u16(e, sb[1].flg);
		return 0;
	}
	case SYS_semctl:
		BEGIN(PPME_SEMCTL_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_semget:
		BEGIN(PPME_SEMGET_E + 1, 1);
		put_errno(e, ret);
		return 0;
	case SYS_prctl: { /* res, option, arg2_str, arg2_int as libs' probes fill them */
		__u32 option = A0; /* PPM_PR_* values are the kernel's */
		BEGIN(PPME_PRCTL_E + 1, 4);
		put_errno(e, ret);
		put_u32(e, option);
		if (option == 15 || option == 16) { /* PR_SET_NAME, PR_GET_NAME: the name */
			put_str_user(e, P(A1), 256);
			put_i64(e, 0);
		} else if (option == 37) { /* PR_GET_CHILD_SUBREAPER: the value stored */
			put_empty(e);
			put_i64(e, (__s32)user_u32(P(A1), 0));
		} else {
			put_empty(e);
			put_i64(e, A1);
		}
		return 0;
	}
	case SYS_exit:
	case SYS_exit_group:
		return -1; /* never returns */
	default:
		if (id < 0 || id >= SC_TABLE_SIZE)
			return -1;
		BEGIN(PPME_GENERIC_E + 1, 1);
		put_u16(e, ppm_sc_of[id & (SC_TABLE_SIZE - 1)]);
		return 0;
	}
}
