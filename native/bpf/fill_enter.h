/* Enter events: one case per syscall with a dedicated event, generic event 0 otherwise.
 * Param order/types follow src/events/data/event-table.json (current variants). */
#pragma once

#define BEGIN(t, n) ev_begin(e, e->s, (t), (n))

static __always_inline int fill_enter(struct ev *e, struct pt_regs *regs, long id)
{
	switch (id) {
	case SYS_open:
		BEGIN(PPME_OPEN_E, 3);
		put_str_user(e, P(A0), PATH_MAX_);
		put_u32(e, open_flags_to_ppm(A1));
		put_u32(e, open_mode_to_ppm(A1, A2));
		return 0;
	case SYS_openat:
		BEGIN(PPME_OPENAT_E, 4);
		put_fd(e, A0);
		put_str_user(e, P(A1), PATH_MAX_);
		put_u32(e, open_flags_to_ppm(A2));
		put_u32(e, open_mode_to_ppm(A2, A3));
		return 0;
	case SYS_openat2: {
		struct { __u64 flags, mode, resolve; } how = {};
		bpf_probe_read_user(&how, sizeof(how), P(A2));
		BEGIN(PPME_OPENAT2_E, 5);
		put_fd(e, A0);
		put_str_user(e, P(A1), PATH_MAX_);
		put_u32(e, open_flags_to_ppm(how.flags));
		put_u32(e, open_mode_to_ppm(how.flags, how.mode));
		put_u32(e, openat2_resolve_to_ppm(how.resolve));
		return 0;
	}
	case SYS_creat:
		BEGIN(PPME_CREAT_E, 2);
		put_str_user(e, P(A0), PATH_MAX_);
		put_u32(e, A1 & 07777);
		return 0;
	case SYS_close:
		BEGIN(PPME_CLOSE_E, 1);
		put_fd(e, A0);
		return 0;
	case SYS_read:
		BEGIN(PPME_READ_E, 2);
		put_fd(e, A0);
		put_u32(e, A2);
		return 0;
	case SYS_write:
		BEGIN(PPME_WRITE_E, 2);
		put_fd(e, A0);
		put_u32(e, A2);
		return 0;
	case SYS_pread64:
	case SYS_pwrite64:
		BEGIN(id == SYS_pread64 ? PPME_PREAD_E : PPME_PWRITE_E, 3);
		put_fd(e, A0);
		put_u32(e, A2);
		put_u64(e, A3);
		return 0;
	case SYS_readv:
		BEGIN(PPME_READV_E, 1);
		put_fd(e, A0);
		return 0;
	case SYS_writev:
		BEGIN(PPME_WRITEV_E, 2);
		put_fd(e, A0);
		put_u32(e, iov_total(P(A1), A2));
		return 0;
	case SYS_preadv:
		BEGIN(PPME_PREADV_E, 2);
		put_fd(e, A0);
		put_u64(e, A3);
		return 0;
	case SYS_pwritev:
		BEGIN(PPME_PWRITEV_E, 3);
		put_fd(e, A0);
		put_u32(e, iov_total(P(A1), A2));
		put_u64(e, A3);
		return 0;
	case SYS_socket:
	case SYS_socketpair:
		BEGIN(id == SYS_socket ? PPME_SOCKET_E : PPME_SOCKETPAIR_E, 3);
		put_u32(e, A0);
		put_u32(e, A1);
		put_u32(e, A2);
		return 0;
	case SYS_bind:
		BEGIN(PPME_BIND_E, 1);
		put_fd(e, A0);
		return 0;
	case SYS_connect:
		BEGIN(PPME_CONNECT_E, 2);
		put_fd(e, A0);
		put_sockaddr_user(e, P(A1), A2);
		return 0;
	case SYS_listen:
		BEGIN(PPME_LISTEN_E, 2);
		put_fd(e, A0);
		put_u32(e, A1);
		return 0;
	case SYS_accept:
		BEGIN(PPME_ACCEPT_E, 0);
		return 0;
	case SYS_accept4:
		BEGIN(PPME_ACCEPT4_E, 1);
		put_i32(e, A3);
		return 0;
	case SYS_sendto:
		BEGIN(PPME_SENDTO_E, 3);
		put_fd(e, A0);
		put_u32(e, A2);
		put_tuple_fd(e, A0, 0, P(A4), A5);
		return 0;
	case SYS_recvfrom:
		BEGIN(PPME_RECVFROM_E, 2);
		put_fd(e, A0);
		put_u32(e, A2);
		return 0;
	case SYS_sendmsg: {
		struct msghdr_ m = {};
		bpf_probe_read_user(&m, sizeof(m), P(A1));
		BEGIN(PPME_SENDMSG_E, 3);
		put_fd(e, A0);
		put_u32(e, iov_total(m.iov, m.iovlen));
		put_tuple_fd(e, A0, 0, m.name, m.namelen);
		return 0;
	}
	case SYS_recvmsg:
		BEGIN(PPME_RECVMSG_E, 1);
		put_fd(e, A0);
		return 0;
	case SYS_sendmmsg:
		BEGIN(PPME_SENDMMSG_E, 0);
		return 0;
	case SYS_recvmmsg:
		BEGIN(PPME_RECVMMSG_E, 0);
		return 0;
	case SYS_shutdown:
		BEGIN(PPME_SHUTDOWN_E, 2);
		put_fd(e, A0);
		put_u8(e, A1);
		return 0;
	case SYS_getsockname:
		BEGIN(PPME_GETSOCKNAME_E, 0);
		return 0;
	case SYS_getpeername:
		BEGIN(PPME_GETPEERNAME_E, 0);
		return 0;
	case SYS_setsockopt:
		BEGIN(PPME_SETSOCKOPT_E, 0);
		return 0;
	case SYS_getsockopt:
		BEGIN(PPME_GETSOCKOPT_E, 0);
		return 0;
	case SYS_execve:
		BEGIN(PPME_EXECVE_E, 1);
		put_str_user(e, P(A0), PATH_MAX_);
		return 0;
	case SYS_execveat:
		BEGIN(PPME_EXECVEAT_E, 3);
		put_fd(e, A0);
		put_str_user(e, P(A1), PATH_MAX_);
		put_u32(e, execveat_flags_to_ppm(A4));
		return 0;
	case SYS_clone:
		BEGIN(PPME_CLONE_E, 0);
		return 0;
	case SYS_fork:
		BEGIN(PPME_FORK_E, 0);
		return 0;
	case SYS_vfork:
		BEGIN(PPME_VFORK_E, 0);
		return 0;
	case SYS_clone3:
		BEGIN(PPME_CLONE3_E, 0);
		return 0;
	case SYS_dup:
	case SYS_dup2:
	case SYS_dup3:
		BEGIN(PPME_DUP_E, 1);
		put_fd(e, A0);
		return 0;
	case SYS_pipe:
	case SYS_pipe2:
		BEGIN(PPME_PIPE_E, 0);
		return 0;
	case SYS_eventfd:
	case SYS_eventfd2:
		BEGIN(PPME_EVENTFD_E, 2);
		put_u64(e, A0);
		put_u32(e, id == SYS_eventfd2 ? A1 : 0);
		return 0;
	case SYS_signalfd:
	case SYS_signalfd4:
		BEGIN(PPME_SIGNALFD_E, 3);
		put_fd(e, A0);
		put_u32(e, user_u32(P(A1), 0));
		put_u8(e, id == SYS_signalfd4 ? A3 : 0);
		return 0;
	case SYS_timerfd_create:
		BEGIN(PPME_TIMERFD_CREATE_E, 2);
		put_u8(e, A0);
		put_u8(e, A1);
		return 0;
	case SYS_inotify_init:
	case SYS_inotify_init1:
		BEGIN(PPME_INOTIFY_INIT_E, 1);
		put_u8(e, id == SYS_inotify_init1 ? A0 : 0);
		return 0;
	case SYS_kill:
	case SYS_tkill:
		BEGIN(id == SYS_kill ? PPME_KILL_E : PPME_TKILL_E, 2);
		put_pid(e, A0);
		put_u8(e, A1);
		return 0;
	case SYS_tgkill:
		BEGIN(PPME_TGKILL_E, 3);
		put_pid(e, A0);
		put_pid(e, A1);
		put_u8(e, A2);
		return 0;
	case SYS_unlink:
		BEGIN(PPME_UNLINK_E, 0);
		return 0;
	case SYS_unlinkat:
		BEGIN(PPME_UNLINKAT_E, 0);
		return 0;
	case SYS_rename:
		BEGIN(PPME_RENAME_E, 0);
		return 0;
	case SYS_renameat:
		BEGIN(PPME_RENAMEAT_E, 0);
		return 0;
	case SYS_renameat2:
		BEGIN(PPME_RENAMEAT2_E, 0);
		return 0;
	case SYS_mkdir:
		BEGIN(PPME_MKDIR_E, 1);
		put_u32(e, A1);
		return 0;
	case SYS_mkdirat:
		BEGIN(PPME_MKDIRAT_E, 0);
		return 0;
	case SYS_rmdir:
		BEGIN(PPME_RMDIR_E, 0);
		return 0;
	case SYS_chdir:
		BEGIN(PPME_CHDIR_E, 0);
		return 0;
	case SYS_fchdir:
		BEGIN(PPME_FCHDIR_E, 1);
		put_fd(e, A0);
		return 0;
	case SYS_getcwd:
		BEGIN(PPME_GETCWD_E, 0);
		return 0;
	case SYS_stat:
		BEGIN(PPME_STAT_E, 0);
		return 0;
	case SYS_lstat:
		BEGIN(PPME_LSTAT_E, 0);
		return 0;
	case SYS_fstat:
		BEGIN(PPME_FSTAT_E, 1);
		put_fd(e, A0);
		return 0;
	case SYS_symlink:
		BEGIN(PPME_SYMLINK_E, 0);
		return 0;
	case SYS_symlinkat:
		BEGIN(PPME_SYMLINKAT_E, 0);
		return 0;
	case SYS_link:
		BEGIN(PPME_LINK_E, 0);
		return 0;
	case SYS_linkat:
		BEGIN(PPME_LINKAT_E, 0);
		return 0;
	case SYS_chmod:
		BEGIN(PPME_CHMOD_E, 0);
		return 0;
	case SYS_fchmod:
		BEGIN(PPME_FCHMOD_E, 0);
		return 0;
	case SYS_fchmodat:
		BEGIN(PPME_FCHMODAT_E, 0);
		return 0;
	case SYS_chroot:
		BEGIN(PPME_CHROOT_E, 0);
		return 0;
	case SYS_sendfile:
		BEGIN(PPME_SENDFILE_E, 4);
		put_fd(e, A0);
		put_fd(e, A1);
		put_u64(e, user_u64(P(A2), 0));
		put_u64(e, A3);
		return 0;
	case SYS_mmap:
		BEGIN(PPME_MMAP_E, 6);
		put_u64(e, A0);
		put_u64(e, A1);
		put_u32(e, prot_to_ppm(A2));
		put_u32(e, mmap_flags_to_ppm(A3));
		put_fd(e, A4);
		put_u64(e, A5);
		return 0;
	case SYS_munmap:
		BEGIN(PPME_MUNMAP_E, 2);
		put_u64(e, A0);
		put_u64(e, A1);
		return 0;
	case SYS_brk:
		BEGIN(PPME_BRK_E, 1);
		put_u64(e, A0);
		return 0;
	case SYS_mprotect:
		BEGIN(PPME_MPROTECT_E, 3);
		put_u64(e, A0);
		put_u64(e, A1);
		put_u32(e, prot_to_ppm(A2));
		return 0;
	case SYS_ioctl:
		BEGIN(PPME_IOCTL_E, 3);
		put_fd(e, A0);
		put_u64(e, A1);
		put_u64(e, A2);
		return 0;
	case SYS_poll:
		BEGIN(PPME_POLL_E, 2);
		put_fdlist(e, P(A0), A1, 0);
		put_i64(e, (int)A2);
		return 0;
	case SYS_ppoll:
		BEGIN(PPME_PPOLL_E, 3);
		put_fdlist(e, P(A0), A1, 0);
		put_u64(e, reltime_user(P(A2)));
		put_u32(e, user_u32(P(A3), 0));
		return 0;
	case SYS_select:
		BEGIN(PPME_SELECT_E, 0);
		return 0;
	case SYS_epoll_wait:
		BEGIN(PPME_EPOLLWAIT_E, 1);
		put_errno(e, (int)A2);
		return 0;
	case SYS_futex:
		BEGIN(PPME_FUTEX_E, 3);
		put_u64(e, A0);
		put_u16(e, A1);
		put_u64(e, A2);
		return 0;
	case SYS_nanosleep:
		BEGIN(PPME_NANOSLEEP_E, 1);
		put_u64(e, reltime_user(P(A0)));
		return 0;
	case SYS_setuid:
	case SYS_setgid:
		BEGIN(id == SYS_setuid ? PPME_SETUID_E : PPME_SETGID_E, 1);
		put_u32(e, A0);
		return 0;
	case SYS_setresuid:
	case SYS_setresgid:
		BEGIN(id == SYS_setresuid ? PPME_SETRESUID_E : PPME_SETRESGID_E, 3);
		put_u32(e, A0);
		put_u32(e, A1);
		put_u32(e, A2);
		return 0;
	case SYS_getuid:
		BEGIN(PPME_GETUID_E, 0);
		return 0;
	case SYS_geteuid:
		BEGIN(PPME_GETEUID_E, 0);
		return 0;
	case SYS_getgid:
		BEGIN(PPME_GETGID_E, 0);
		return 0;
	case SYS_getegid:
		BEGIN(PPME_GETEGID_E, 0);
		return 0;
	case SYS_getresuid:
		BEGIN(PPME_GETRESUID_E, 0);
		return 0;
	case SYS_getresgid:
		BEGIN(PPME_GETRESGID_E, 0);
		return 0;
	case SYS_ptrace:
		BEGIN(PPME_PTRACE_E, 2);
		put_u16(e, ptrace_req_to_ppm(A0));
		put_pid(e, A1);
		return 0;
	case SYS_mount:
		BEGIN(PPME_MOUNT_E, 1);
		put_u32(e, mount_flags_to_ppm(A3));
		return 0;
	case SYS_umount2:
		BEGIN(PPME_UMOUNT_E, 1);
		put_u32(e, A1);
		return 0;
	case SYS_setns:
		BEGIN(PPME_SETNS_E, 2);
		put_fd(e, A0);
		put_u32(e, clone_flags_to_ppm(A1));
		return 0;
	case SYS_unshare:
		BEGIN(PPME_UNSHARE_E, 1);
		put_u32(e, clone_flags_to_ppm(A0));
		return 0;
	case SYS_access:
		BEGIN(PPME_ACCESS_E, 1);
		put_u32(e, A1);
		return 0;
	case SYS_fcntl:
		BEGIN(PPME_FCNTL_E, 2);
		put_fd(e, A0);
		put_u8(e, fcntl_cmd_to_ppm(A1));
		return 0;
	case SYS_lseek:
		BEGIN(PPME_LSEEK_E, 3);
		put_fd(e, A0);
		put_u64(e, A1);
		put_u8(e, A2);
		return 0;
	case SYS_getdents:
	case SYS_getdents64:
		BEGIN(id == SYS_getdents ? PPME_GETDENTS_E : PPME_GETDENTS64_E, 1);
		put_fd(e, A0);
		return 0;
	case SYS_flock:
		BEGIN(PPME_FLOCK_E, 2);
		put_fd(e, A0);
		put_u32(e, A1);
		return 0;
	case SYS_splice:
		BEGIN(PPME_SPLICE_E, 4);
		put_fd(e, A0);
		put_fd(e, A2);
		put_u64(e, A4);
		put_u32(e, A5);
		return 0;
	case SYS_getrlimit:
	case SYS_setrlimit:
		BEGIN(id == SYS_getrlimit ? PPME_GETRLIMIT_E : PPME_SETRLIMIT_E, 1);
		put_u8(e, A0);
		return 0;
	case SYS_prlimit64:
		BEGIN(PPME_PRLIMIT_E, 2);
		put_pid(e, A0);
		put_u8(e, A1);
		return 0;
	case SYS_setsid:
		BEGIN(PPME_SETSID_E, 0);
		return 0;
	case SYS_setpgid:
		BEGIN(PPME_SETPGID_E, 2);
		put_pid(e, A0);
		put_pid(e, A1);
		return 0;
	case SYS_bpf:
		BEGIN(PPME_BPF_E, 1);
		put_i64(e, (int)A0);
		return 0;
	case SYS_seccomp:
		BEGIN(PPME_SECCOMP_E, 1);
		put_u64(e, A0);
		return 0;
	case SYS_userfaultfd:
		BEGIN(PPME_USERFAULTFD_E, 0);
		return 0;
	case SYS_copy_file_range:
		BEGIN(PPME_COPY_FILE_RANGE_E, 3);
		put_fd(e, A0);
		put_u64(e, user_u64(P(A1), 0));
		put_u64(e, A4);
		return 0;
	case SYS_semop:
		BEGIN(PPME_SEMOP_E, 1);
		put_i32(e, A0);
		return 0;
	case SYS_semctl:
		BEGIN(PPME_SEMCTL_E, 4);
		put_i32(e, A0);
		put_i32(e, A1);
		put_u16(e, A2);
		put_i32(e, A3);
		return 0;
	case SYS_semget:
		BEGIN(PPME_SEMGET_E, 3);
		put_i32(e, A0);
		put_i32(e, A1);
		put_u32(e, A2);
		return 0;
	case SYS_prctl: /* libs' prctl enter: no params (all on the exit) */
		BEGIN(PPME_PRCTL_E, 0);
		return 0;
	default:
		if (id < 0 || id >= SC_TABLE_SIZE)
			return -1;
		BEGIN(PPME_GENERIC_E, 2);
		put_u16(e, ppm_sc_of[id & (SC_TABLE_SIZE - 1)]);
		put_u16(e, id);
		return 0;
	}
}
