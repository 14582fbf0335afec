/* Loading the BPF programs (included once, by addon.c, after tsdig.skel.h).
 *
 * The skeleton is opened LOADERS times: instance 0 holds the dispatchers and procexit (the
 * programs that get attached), every instance loads a share of the per-syscall fillers, in its own
 * thread. The kernel verifies each BPF_PROG_LOAD on the calling thread, so on a machine with two
 * or more CPUs the ~250 programs verify in parallel. The maps that the programs share (the ring,
 * the per-CPU scratch value, the two program arrays) are created once here and handed to every
 * instance with bpf_map__reuse_fd(); each instance keeps its own .rodata (the same values).
 * TSDIG_BPF_THREADS=N overrides the number of loaders (default: online CPUs, at most 4). */
#pragma once

#define MAX_LOADERS 4

/* the libbpf log of the calling thread (addon.c's libbpf_print fills it) */
static __thread char g_log[8192];
static __thread size_t g_log_len;

typedef struct {
	__u32 self_tgid, filter_tgid, snaplen;
	__u64 boot_to_epoch_ns, wakeup_bytes;
	__u32 ring_bytes;
} load_cfg_t;

typedef struct {
	struct tsdig_bpf *skel[MAX_LOADERS];
	int n;
} loaded_t;

/* The fillers te_<nr>/tx_<nr> (and tx_proc) are reached by tail calls from the dispatchers:
 * only the dispatchers and procexit are attached. */
static int filler_slot(const char *name, int *exit_side)
{
	if (strcmp(name, "tx_proc") == 0) {
		*exit_side = 1;
		return TSDIG_PROC_SLOT;
	}
	if ((name[0] != 't') || (name[1] != 'e' && name[1] != 'x') || name[2] != '_' || !name[3])
		return -1;
	char *end = NULL;
	long nr = strtol(name + 3, &end, 10);
	if (*end || nr < 0 || nr >= TSDIG_PROC_SLOT)
		return -1;
	*exit_side = name[1] == 'x';
	return (int)nr;
}

static void set_filler_autoattach(struct bpf_object *obj)
{
	struct bpf_program *p;
	int x;
	bpf_object__for_each_program(p, obj) {
		if (filler_slot(bpf_program__name(p), &x) >= 0)
			bpf_program__set_autoattach(p, false);
	}
}

static int fill_prog_arrays(struct tsdig_bpf *skel)
{
	int efd = bpf_map__fd(skel->maps.enter_progs), xfd = bpf_map__fd(skel->maps.exit_progs);
	struct bpf_program *p;
	bpf_object__for_each_program(p, skel->obj) {
		int x = 0;
		int slot = filler_slot(bpf_program__name(p), &x);
		if (slot < 0 || !bpf_program__autoload(p)) /* not a filler, or another instance's */
			continue;
		__u32 key = (__u32)slot;
		__u32 fd = (__u32)bpf_program__fd(p);
		if (bpf_map_update_elem(x ? xfd : efd, &key, &fd, BPF_ANY))
			return -errno;
	}
	return 0;
}

static void unload_programs(loaded_t *l)
{
	for (int i = 0; i < l->n; i++) {
		if (l->skel[i])
			tsdig_bpf__destroy(l->skel[i]);
		l->skel[i] = NULL;
	}
	l->n = 0;
}

static int loader_count(void)
{
	const char *e = getenv("TSDIG_BPF_THREADS");
	long n = e && *e ? strtol(e, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > MAX_LOADERS)
		n = MAX_LOADERS;
	return (int)n;
}

/* the maps every instance shares, in a fixed order */
#define SHARED_MAPS 4
static void shared_maps(struct tsdig_bpf *s, struct bpf_map **m)
{
	m[0] = s->maps.rb;
	m[1] = s->maps.scratch_map;
	m[2] = s->maps.enter_progs;
	m[3] = s->maps.exit_progs;
}

static int share_maps(loaded_t *l)
{
	struct bpf_map *m0[SHARED_MAPS];
	shared_maps(l->skel[0], m0);
	for (int k = 0; k < SHARED_MAPS; k++) {
		int fd = bpf_map_create(bpf_map__type(m0[k]), bpf_map__name(m0[k]), bpf_map__key_size(m0[k]),
					bpf_map__value_size(m0[k]), bpf_map__max_entries(m0[k]), NULL);
		if (fd < 0)
			return -errno;
		for (int i = 0; i < l->n; i++) {
			struct bpf_map *m[SHARED_MAPS];
			shared_maps(l->skel[i], m);
			int err = bpf_map__reuse_fd(m[k], fd); /* dups fd */
			if (err) {
				close(fd);
				return err;
			}
		}
		close(fd);
	}
	return 0;
}

/* Longest first, each to the least loaded instance. A filler's cost is about its instruction
 * count plus a fixed part; tx_proc's loops (cwd, cgroups) make it ~8x costlier per instruction. */
static void assign_programs(loaded_t *l)
{
	struct bpf_program *p;
	struct { const char *name; long w; } list[640];
	int np = 0;
	bpf_object__for_each_program(p, l->skel[0]->obj) {
		int x;
		const char *name = bpf_program__name(p);
		if (filler_slot(name, &x) < 0 || np >= (int)(sizeof(list) / sizeof(list[0])))
			continue; /* dispatchers, procexit: instance 0 */
		long w = (long)bpf_program__insn_cnt(p) + 300;
		if (strcmp(name, "tx_proc") == 0)
			w *= 8;
		int at = np++;
		while (at > 0 && list[at - 1].w < w) { /* insertion sort, descending */
			list[at] = list[at - 1];
			at--;
		}
		list[at].name = name;
		list[at].w = w;
	}
	long load[MAX_LOADERS] = { 0 };
	for (int i = 0; i < np; i++) {
		int best = 0;
		for (int j = 1; j < l->n; j++)
			if (load[j] < load[best])
				best = j;
		load[best] += list[i].w;
		for (int j = 0; j < l->n; j++) {
			if (j == best)
				continue;
			struct bpf_program *q = bpf_object__find_program_by_name(l->skel[j]->obj, list[i].name);
			if (q)
				bpf_program__set_autoload(q, false);
		}
	}
	for (int j = 1; j < l->n; j++) { /* only instance 0 has the dispatchers and procexit */
		bpf_object__for_each_program(p, l->skel[j]->obj) {
			int x;
			if (filler_slot(bpf_program__name(p), &x) < 0)
				bpf_program__set_autoload(p, false);
		}
	}
}

typedef struct {
	struct tsdig_bpf *skel;
	pthread_t thr;
	int started, err;
	char log[sizeof(g_log)];
	size_t log_len;
} load_job_t;

static void *load_thread(void *arg)
{
	load_job_t *j = arg;
	g_log_len = 0;
	g_log[0] = 0;
	int err = tsdig_bpf__load(j->skel);
	j->err = err < 0 ? -err : err;
	memcpy(j->log, g_log, g_log_len + 1);
	j->log_len = g_log_len;
	return NULL;
}

/* Opens, loads, fills the program arrays. 0 or an errno; *what names the failed step, and the
 * calling thread's g_log holds the libbpf log of the failure. */
static int load_programs(const load_cfg_t *cfg, loaded_t *l, const char **what)
{
	memset(l, 0, sizeof(*l));
	int n = loader_count();
	*what = "open BPF object";
	for (l->n = 0; l->n < n; l->n++) {
		struct tsdig_bpf *s = tsdig_bpf__open();
		if (!s) {
			int err = errno ? errno : EINVAL;
			unload_programs(l);
			return err;
		}
		l->skel[l->n] = s;
		s->rodata->self_tgid = cfg->self_tgid;
		s->rodata->filter_tgid = cfg->filter_tgid;
		s->rodata->snaplen = cfg->snaplen;
		s->rodata->boot_to_epoch_ns = cfg->boot_to_epoch_ns;
		s->rodata->wakeup_bytes = cfg->wakeup_bytes;
		bpf_map__set_max_entries(s->maps.rb, cfg->ring_bytes);
		set_filler_autoattach(s->obj);
	}
	int err = 0;
	if (n > 1) {
		*what = "create the BPF maps";
		err = share_maps(l);
		if (!err)
			assign_programs(l);
	}
	*what = "load BPF programs";
	load_job_t jobs[MAX_LOADERS];
	memset(jobs, 0, sizeof(jobs));
	for (int i = 1; !err && i < n; i++) {
		jobs[i].skel = l->skel[i];
		jobs[i].started = pthread_create(&jobs[i].thr, NULL, load_thread, &jobs[i]) == 0;
		if (!jobs[i].started)
			load_thread(&jobs[i]); /* no thread: load it here */
	}
	if (!err) {
		err = tsdig_bpf__load(l->skel[0]);
		err = err < 0 ? -err : err;
	}
	for (int i = 1; i < n; i++) {
		if (jobs[i].started)
			pthread_join(jobs[i].thr, NULL);
		if (!err && jobs[i].err) { /* report the first failure with its own log */
			err = jobs[i].err;
			memcpy(g_log, jobs[i].log, jobs[i].log_len + 1);
			g_log_len = jobs[i].log_len;
		}
	}
	for (int i = 0; !err && i < n; i++) {
		*what = "fill the BPF program arrays";
		err = fill_prog_arrays(l->skel[i]);
		err = err < 0 ? -err : err;
	}
	if (err)
		unload_programs(l);
	return err;
}
