/* Linux (x86_64) -> sysdig PPM flag encodings. Values from the flag tables in
 * /work/shared/docs/scap-format.md Appendix C and the x86_64 UAPI headers. */
#pragma once

/* open(2) flags -> file_flags */
static __always_inline __u32 open_flags_to_ppm(__u32 f)
{
	__u32 r = 0;
	switch (f & 3) {
	case 0: r = 1; break; /* O_RDONLY */
	case 1: r = 2; break; /* O_WRONLY */
	case 2: r = 3; break; /* O_RDWR */
	}
	if (f & 0100) r |= 4;          /* O_CREAT */
	if (f & 02000) r |= 8;         /* O_APPEND */
	if (f & 010000) r |= 16;       /* O_DSYNC */
	if (f & 0200) r |= 32;         /* O_EXCL */
	if (f & 04000) r |= 64;        /* O_NONBLOCK */
	if ((f & 04010000) == 04010000) r |= 128; /* O_SYNC */
	if (f & 01000) r |= 0x100;     /* O_TRUNC */
	if (f & 040000) r |= 0x200;    /* O_DIRECT */
	if ((f & 020200000) == 020200000) r |= 0x2000; /* O_TMPFILE */
	else if (f & 0200000) r |= 0x400; /* O_DIRECTORY */
	if (f & 0100000) r |= 0x800;   /* O_LARGEFILE */
	if (f & 02000000) r |= 0x1000; /* O_CLOEXEC */
	return r;
}

/* mode is meaningful only with O_CREAT / O_TMPFILE */
static __always_inline __u32 open_mode_to_ppm(__u32 flags, __u32 mode)
{
	if ((flags & 0100) || (flags & 020200000) == 020200000)
		return mode & 07777;
	return 0;
}

static __always_inline __u32 openat2_resolve_to_ppm(__u64 v)
{
	__u32 r = 0;
	if (v & 0x08) r |= 1;  /* RESOLVE_BENEATH */
	if (v & 0x10) r |= 2;  /* RESOLVE_IN_ROOT */
	if (v & 0x02) r |= 4;  /* RESOLVE_NO_MAGICLINKS */
	if (v & 0x04) r |= 8;  /* RESOLVE_NO_SYMLINKS */
	if (v & 0x01) r |= 16; /* RESOLVE_NO_XDEV */
	if (v & 0x20) r |= 32; /* RESOLVE_CACHED */
	return r;
}

static __always_inline __u32 clone_flags_to_ppm(__u64 f)
{
	__u32 r = 0;
	if (f & 0x00000400) r |= 1;         /* CLONE_FILES */
	if (f & 0x00000200) r |= 2;         /* CLONE_FS */
	if (f & 0x80000000) r |= 4;         /* CLONE_IO */
	if (f & 0x08000000) r |= 8;         /* CLONE_NEWIPC */
	if (f & 0x40000000) r |= 16;        /* CLONE_NEWNET */
	if (f & 0x00020000) r |= 32;        /* CLONE_NEWNS */
	if (f & 0x20000000) r |= 64;        /* CLONE_NEWPID */
	if (f & 0x04000000) r |= 128;       /* CLONE_NEWUTS */
	if (f & 0x00008000) r |= 0x100;     /* CLONE_PARENT */
	if (f & 0x00100000) r |= 0x200;     /* CLONE_PARENT_SETTID */
	if (f & 0x00002000) r |= 0x400;     /* CLONE_PTRACE */
	if (f & 0x00000800) r |= 0x800;     /* CLONE_SIGHAND */
	if (f & 0x00040000) r |= 0x1000;    /* CLONE_SYSVSEM */
	if (f & 0x00010000) r |= 0x2000;    /* CLONE_THREAD */
	if (f & 0x00800000) r |= 0x4000;    /* CLONE_UNTRACED */
	if (f & 0x00000100) r |= 0x8000;    /* CLONE_VM */
	if (f & 0x10000000) r |= 0x100000;  /* CLONE_NEWUSER */
	if (f & 0x00200000) r |= 0x800000;  /* CLONE_CHILD_CLEARTID */
	if (f & 0x01000000) r |= 0x1000000; /* CLONE_CHILD_SETTID */
	if (f & 0x00080000) r |= 0x2000000; /* CLONE_SETTLS */
	if (f & 0x00004000) r |= 0x8000000; /* CLONE_VFORK */
	if (f & 0x02000000) r |= 0x10000000; /* CLONE_NEWCGROUP */
	return r;
}

static __always_inline __u32 prot_to_ppm(__u64 p)
{
	__u32 r = p & 7; /* READ, WRITE, EXEC share values */
	if (p & 0x8) r |= 8;          /* PROT_SEM */
	if (p & 0x01000000) r |= 16;  /* PROT_GROWSDOWN */
	if (p & 0x02000000) r |= 32;  /* PROT_GROWSUP */
	return r;
}

static __always_inline __u32 mmap_flags_to_ppm(__u64 f)
{
	__u32 r = 0;
	if (f & 0x01) r |= 1;       /* MAP_SHARED */
	if (f & 0x02) r |= 2;       /* MAP_PRIVATE */
	if (f & 0x10) r |= 4;       /* MAP_FIXED */
	if (f & 0x20) r |= 8;       /* MAP_ANONYMOUS */
	if (f & 0x40) r |= 16;      /* MAP_32BIT */
	if (f & 0x4000) r |= 64;    /* MAP_NORESERVE */
	if (f & 0x8000) r |= 128;   /* MAP_POPULATE */
	if (f & 0x10000) r |= 0x100; /* MAP_NONBLOCK */
	if (f & 0x0100) r |= 0x200; /* MAP_GROWSDOWN */
	if (f & 0x0800) r |= 0x400; /* MAP_DENYWRITE */
	if (f & 0x1000) r |= 0x800; /* MAP_EXECUTABLE */
	if (f & 0x2000) r |= 0x4000; /* MAP_LOCKED */
	return r;
}

static __always_inline __u8 fcntl_cmd_to_ppm(__u64 c)
{
	switch (c) {
	case 0: return 1;     /* F_DUPFD */
	case 1: return 2;     /* F_GETFD */
	case 2: return 3;     /* F_SETFD */
	case 3: return 4;     /* F_GETFL */
	case 4: return 5;     /* F_SETFL */
	case 5: return 6;     /* F_GETLK */
	case 6: return 8;     /* F_SETLK */
	case 7: return 9;     /* F_SETLKW */
	case 8: return 10;    /* F_SETOWN */
	case 9: return 12;    /* F_GETOWN */
	case 10: return 13;   /* F_SETSIG */
	case 11: return 15;   /* F_GETSIG */
	case 15: return 21;   /* F_SETOWN_EX */
	case 16: return 22;   /* F_GETOWN_EX */
	case 36: return 30;   /* F_OFD_GETLK */
	case 37: return 31;   /* F_OFD_SETLK */
	case 38: return 32;   /* F_OFD_SETLKW */
	case 1024: return 23; /* F_SETLEASE */
	case 1025: return 24; /* F_GETLEASE */
	case 1026: return 27; /* F_NOTIFY */
	case 1029: return 25; /* F_CANCELLK */
	case 1030: return 26; /* F_DUPFD_CLOEXEC */
	case 1031: return 28; /* F_SETPIPE_SZ */
	case 1032: return 29; /* F_GETPIPE_SZ */
	}
	return 0;
}

static __always_inline __u16 ptrace_req_to_ppm(__u64 r)
{
	if (r <= 9)
		return r + 1; /* TRACEME..SINGLESTEP */
	switch (r) {
	case 12: return 26; case 13: return 27; case 14: return 28; case 15: return 29;
	case 16: return 11; case 17: return 12; case 18: return 30; case 19: return 31;
	case 24: return 13; case 25: return 33; case 26: return 34; case 30: return 35;
	case 31: return 36; case 32: return 37; case 33: return 38;
	case 0x4200: return 14; case 0x4201: return 15; case 0x4202: return 16; case 0x4203: return 17;
	case 0x4204: return 18; case 0x4205: return 19; case 0x4206: return 20; case 0x4207: return 21;
	case 0x4208: return 22; case 0x4209: return 23; case 0x420a: return 24; case 0x420b: return 25;
	}
	return 0;
}

static __always_inline __u16 poll_events_to_ppm(__u16 e)
{
	__u16 r = e & 7; /* POLLIN, POLLPRI, POLLOUT */
	if (e & 0x2000) r |= 8;     /* POLLRDHUP */
	if (e & 0x08) r |= 16;      /* POLLERR */
	if (e & 0x10) r |= 32;      /* POLLHUP */
	if (e & 0x20) r |= 64;      /* POLLNVAL */
	if (e & 0x40) r |= 128;     /* POLLRDNORM */
	if (e & 0x80) r |= 0x100;   /* POLLRDBAND */
	if (e & 0x100) r |= 0x200;  /* POLLWRNORM */
	if (e & 0x200) r |= 0x400;  /* POLLWRBAND */
	return r;
}

static __always_inline __u32 mount_flags_to_ppm(__u64 f)
{
	if ((f & 0xffff0000UL) == 0xC0ED0000UL) /* MS_MGC_VAL magic */
		f &= 0xffff;
	return (__u32)f; /* MS_* values equal the PPM mount_flags */
}

static __always_inline __u8 sockopt_level_to_ppm(__u64 l)
{
	if (l == 1) return 1; /* SOL_SOCKET */
	if (l == 6) return 2; /* SOL_TCP */
	return 0;
}

static __always_inline __u32 execveat_flags_to_ppm(__u64 f)
{
	__u32 r = 0;
	if (f & 0x1000) r |= 1; /* AT_EMPTY_PATH */
	if (f & 0x100) r |= 2;  /* AT_SYMLINK_NOFOLLOW */
	return r;
}
