/* tsdig_bpf.node: loads the tsdig BPF skeleton and hands sysdig-format event records to JS in
 * batches (external ArrayBuffers) from a poller thread. Plain N-API C.
 *
 *   open(opts) -> handle        opts: { bufferSize, snaplen, pid }; loads (verifies) the programs
 *   openAsync(opts) -> Promise<handle>   the same load on a worker thread
 *   start(handle, onBatch)      onBatch(arrayBuffer, nbytes)
 *   stats(handle) -> { events, drops, bytes, errors, batches, records }
 *   close(handle)               idempotent; joins the poller, detaches and frees everything
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <node_api.h>

#include "tsdig_shared.h"
#include "tsdig.skel.h"
#include "loader.h"

#define BATCH_BYTES (1u << 20)   /* hand over when a batch reaches 1 MiB ... */
#define BATCH_CAP (BATCH_BYTES + (64u << 10))
#define BATCH_NS (20ull * 1000000ull) /* ... or 20 ms after its first record */
#define POLL_MS 10
#define TSFN_QUEUE 16

typedef struct handle {
	struct tsdig_bpf *skel; /* progs.skel[0]: the dispatchers (attached), the maps */
	loaded_t progs;
	struct ring_buffer *rb;
	pthread_t thr;
	int thr_started;
	atomic_int stop;
	int closed;
	int attached;
	napi_threadsafe_function tsfn;
	napi_env env;
	int refs; /* JS external + tsfn */
	int cleanup_hook;
	/* batch being filled (poller thread only) */
	uint8_t *batch;
	size_t blen;
	uint64_t bt0;
	/* counters */
	atomic_ullong batches, records;
	/* batches handed to the tsfn whose JS call has not returned yet (at most 1) */
	atomic_int inflight;
	struct tsdig_stats last; /* snapshot kept after close */
} handle_t;

typedef struct {
	uint8_t *buf;
	size_t len;
} item_t;

/* ---------- libbpf log capture (for error messages) ---------- */
static int g_debug = -1;

static int libbpf_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	if (g_debug < 0)
		g_debug = getenv("TSDIG_BPF_DEBUG") != NULL;
	if (g_debug) {
		va_list ap2;
		va_copy(ap2, ap);
		vfprintf(stderr, fmt, ap2);
		va_end(ap2);
	}
	if (lvl == LIBBPF_DEBUG)
		return 0;
	/* keep the tail of what libbpf says (the verifier's verdict is at the end of its log) */
	char *tmp = NULL;
	int n = vasprintf(&tmp, fmt, ap);
	if (n <= 0 || !tmp)
		return 0;
	const char *src = tmp;
	size_t len = (size_t)n;
	if (len > sizeof(g_log) / 2) {
		src += len - sizeof(g_log) / 2;
		len = sizeof(g_log) / 2;
	}
	if (g_log_len + len >= sizeof(g_log)) {
		size_t keep = sizeof(g_log) - 1 - len;
		if (keep > g_log_len)
			keep = g_log_len;
		memmove(g_log, g_log + g_log_len - keep, keep);
		g_log_len = keep;
	}
	memcpy(g_log + g_log_len, src, len);
	g_log_len += len;
	g_log[g_log_len] = 0;
	free(tmp);
	return 0;
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CLOCK_REALTIME - CLOCK_BOOTTIME, sampled a few times keeping the tightest bracket */
static uint64_t boot_to_epoch(void)
{
	uint64_t best = 0, bestgap = UINT64_MAX;
	for (int i = 0; i < 5; i++) {
		uint64_t b1 = now_ns(CLOCK_BOOTTIME);
		uint64_t r = now_ns(CLOCK_REALTIME);
		uint64_t b2 = now_ns(CLOCK_BOOTTIME);
		if (b2 - b1 < bestgap) {
			bestgap = b2 - b1;
			best = r - (b1 + (b2 - b1) / 2);
		}
	}
	return best;
}

/* ---------- N-API helpers ---------- */
#define NAPI_OK(call)                                                                  \
	do {                                                                           \
		if ((call) != napi_ok) {                                               \
			napi_throw_error(env, NULL, "tsdig_bpf: N-API call failed: " #call); \
			return NULL;                                                   \
		}                                                                      \
	} while (0)

static int get_opt_u32(napi_env env, napi_value obj, const char *key, uint32_t *out)
{
	bool has = false;
	napi_valuetype t;
	napi_value v;
	if (napi_has_named_property(env, obj, key, &has) != napi_ok || !has)
		return 0;
	if (napi_get_named_property(env, obj, key, &v) != napi_ok)
		return 0;
	if (napi_typeof(env, v, &t) != napi_ok || t != napi_number)
		return 0;
	return napi_get_value_uint32(env, v, out) == napi_ok;
}

static handle_t *get_handle(napi_env env, napi_value v)
{
	void *p = NULL;
	napi_valuetype t;
	if (napi_typeof(env, v, &t) != napi_ok || t != napi_external ||
	    napi_get_value_external(env, v, &p) != napi_ok || !p) {
		napi_throw_type_error(env, NULL, "tsdig_bpf: invalid handle");
		return NULL;
	}
	return (handle_t *)p;
}

static void handle_unref(handle_t *h)
{
	if (--h->refs == 0) {
		free(h->batch);
		free(h);
	}
}

/* ---------- stats ---------- */
static void read_stats(handle_t *h, struct tsdig_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!h->skel) {
		*out = h->last;
		return;
	}
	int ncpu = libbpf_num_possible_cpus();
	size_t vsz = (bpf_map__value_size(h->skel->maps.scratch_map) + 7) & ~7u;
	uint8_t *vals = calloc((size_t)ncpu, vsz);
	if (!vals)
		return;
	__u32 key = 0;
	if (ncpu > 0 && bpf_map__lookup_elem(h->skel->maps.scratch_map, &key, sizeof(key), vals, vsz * ncpu, 0) == 0) {
		for (int i = 0; i < ncpu; i++) {
			struct tsdig_stats *s = (struct tsdig_stats *)(vals + vsz * i);
			out->events += s->events;
			out->drops += s->drops;
			out->bytes += s->bytes;
			out->errors += s->errors;
		}
	}
	free(vals);
}

/* ---------- poller thread ---------- */
static void flush_batch(handle_t *h)
{
	if (!h->blen)
		return;
	item_t *it = malloc(sizeof(*it));
	if (!it)
		return;
	it->buf = h->batch;
	it->len = h->blen;
	/* one batch at a time: while JS handles one, Node's tsfn dispatch would call it again in the
	 * same event-loop turn for every batch queued meanwhile (up to 1000): timers, signals and
	 * immediates would wait for seconds. Waiting here ends the turn after each batch. */
	while (atomic_load(&h->inflight) > 0 && !atomic_load(&h->stop)) {
		struct timespec ts = { 0, 100000 };
		nanosleep(&ts, NULL);
	}
	for (;;) {
		atomic_fetch_add(&h->inflight, 1);
		napi_status st = napi_call_threadsafe_function(h->tsfn, it, napi_tsfn_nonblocking);
		if (st != napi_ok)
			atomic_fetch_sub(&h->inflight, 1);
		if (st == napi_ok) {
			atomic_fetch_add(&h->batches, 1);
			h->batch = malloc(BATCH_CAP);
			h->blen = 0;
			return;
		}
		if (st != napi_queue_full || atomic_load(&h->stop))
			break;
		/* JS is behind: wait (the ring keeps filling; overflow is counted as BPF drops) */
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	free(it); /* closing: drop the batch, keep the buffer for reuse */
	h->blen = 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	handle_t *h = ctx;
	if (!h->batch)
		return 0;
	if (h->blen + size > BATCH_CAP)
		flush_batch(h);
	if (!h->batch || size > BATCH_CAP)
		return 0;
	if (h->blen == 0)
		h->bt0 = now_ns(CLOCK_MONOTONIC);
	memcpy(h->batch + h->blen, data, size);
	h->blen += size;
	atomic_fetch_add_explicit(&h->records, 1, memory_order_relaxed);
	if (h->blen >= BATCH_BYTES)
		flush_batch(h);
	return 0;
}

/* the first batch goes to JS as soon as the ring is drained once: the first event is not held
 * back by BATCH_NS (start-up latency), later ones are batched as usual */

static void *poller(void *arg)
{
	handle_t *h = arg;
	while (!atomic_load(&h->stop)) {
		ring_buffer__poll(h->rb, POLL_MS);
		/* records submitted with BPF_RB_NO_WAKEUP never make epoll fire: consume explicitly */
		ring_buffer__consume(h->rb);
		if (h->blen && (now_ns(CLOCK_MONOTONIC) - h->bt0 >= BATCH_NS || atomic_load(&h->batches) == 0))
			flush_batch(h);
	}
	return NULL;
}

/* ---------- JS-thread side of the tsfn ---------- */
static void call_js(napi_env env, napi_value cb, void *context, void *data)
{
	handle_t *h = context;
	item_t *it = data;
	if (!it)
		return;
	if (!env || !cb || h->closed) {
		free(it->buf);
		free(it);
		atomic_fetch_sub(&h->inflight, 1);
		return;
	}
	/* The batch is copied into a V8-owned ArrayBuffer and freed now. An external ArrayBuffer
	 * is freed only by a finalizer Node defers to a later event-loop turn, and while the queue
	 * stays non-empty Node's tsfn dispatch makes up to 1000 calls in one turn: batches (1 MiB
	 * each) piled up by the hundred (RSS +1 GB in a 60-s soak at 500k events/s). V8 frees its
	 * own backing stores when it collects them, turn or no turn. The copy costs ~1% of the time
	 * JS spends on a batch. */
	napi_value ab, len, undef, argv[2];
	void *dst = NULL;
	if (napi_create_arraybuffer(env, it->len, &dst, &ab) != napi_ok) {
		free(it->buf);
		free(it);
		atomic_fetch_sub(&h->inflight, 1);
		return;
	}
	memcpy(dst, it->buf, it->len);
	free(it->buf);
	napi_create_double(env, (double)it->len, &len);
	napi_get_undefined(env, &undef);
	argv[0] = ab;
	argv[1] = len;
	free(it);
	napi_call_function(env, undef, cb, 2, argv, NULL);
	atomic_fetch_sub(&h->inflight, 1);
}

static void tsfn_finalize(napi_env env, void *data, void *hint)
{
	(void)env;
	(void)data;
	handle_unref((handle_t *)hint);
}

/* ---------- lifecycle ---------- */
static void cleanup_hook(void *arg);

static void shutdown_handle(handle_t *h, int from_cleanup)
{
	if (h->closed)
		return;
	h->closed = 1;
	atomic_store(&h->stop, 1);
	if (h->thr_started) {
		pthread_join(h->thr, NULL);
		h->thr_started = 0;
	}
	if (h->skel)
		read_stats(h, &h->last);
	if (h->rb) {
		ring_buffer__free(h->rb);
		h->rb = NULL;
	}
	if (h->skel) {
		unload_programs(&h->progs); /* detaches links, closes maps and programs */
		h->skel = NULL;
	}
	if (h->tsfn) {
		napi_release_threadsafe_function(h->tsfn, napi_tsfn_abort);
		h->tsfn = NULL;
	}
	if (h->cleanup_hook && !from_cleanup) {
		napi_remove_env_cleanup_hook(h->env, cleanup_hook, h);
	}
	h->cleanup_hook = 0;
}

static void cleanup_hook(void *arg)
{
	shutdown_handle((handle_t *)arg, 1);
}

static void handle_finalize(napi_env env, void *data, void *hint)
{
	(void)env;
	(void)hint;
	handle_t *h = data;
	shutdown_handle(h, 0);
	handle_unref(h);
}

static const char *errno_hint(int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		return " (permission denied: run as root, or grant CAP_BPF + CAP_PERFMON (+ CAP_SYS_RESOURCE on old kernels))";
	case ENOENT:
	case ESRCH:
		return " (a kernel symbol or BTF type was not found: needs a kernel with BTF (/sys/kernel/btf/vmlinux) and tp_btf support, >= 5.11)";
	case EINVAL:
		return " (rejected by the kernel: see the verifier/libbpf log)";
	case ENOTSUP:
		return " (operation not supported by this kernel)";
	case E2BIG:
		return " (program too large for this kernel's verifier)";
	}
	return "";
}

static napi_value make_bpf_error(napi_env env, const char *what, int err, const char *log, size_t log_len)
{
	char msg[2048];
	size_t tail = log_len > 1200 ? log_len - 1200 : 0;
	snprintf(msg, sizeof(msg), "tsdig_bpf: %s failed: %s%s%s%s", what, strerror(err), errno_hint(err),
		 log_len ? "\nlibbpf: " : "", log_len ? log + tail : "");
	napi_value e, m, code;
	napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
	napi_create_string_utf8(env, err == EPERM || err == EACCES ? "EPERM" : "EBPF", NAPI_AUTO_LENGTH, &code);
	napi_create_error(env, code, m, &e);
	napi_value errnov;
	napi_create_int32(env, err, &errnov);
	napi_set_named_property(env, e, "errno", errnov);
	return e;
}

static napi_value throw_bpf(napi_env env, const char *what, int err)
{
	napi_throw(env, make_bpf_error(env, what, err, g_log, g_log_len));
	return NULL;
}

typedef struct {
	uint32_t bufsize, snaplen, pid;
} open_opts_t;

static void parse_open_opts(napi_env env, size_t argc, napi_value *argv, open_opts_t *o)
{
	o->bufsize = 16u << 20;
	o->snaplen = 80;
	o->pid = 0;
	if (argc >= 1) {
		napi_valuetype t;
		napi_typeof(env, argv[0], &t);
		if (t == napi_object) {
			get_opt_u32(env, argv[0], "bufferSize", &o->bufsize);
			get_opt_u32(env, argv[0], "snaplen", &o->snaplen);
			get_opt_u32(env, argv[0], "pid", &o->pid);
		}
	}
}

/* Opens and loads the BPF programs (the slow part: verification; loader.h). Touches no N-API
 * state, so it also runs on a worker thread (openAsync). Returns 0 or an errno; *what names the
 * failed step. */
static int do_open(const open_opts_t *o, handle_t **out, const char **what)
{
	/* ring size: power of two, >= 64 KiB (must be a page multiple) */
	uint32_t rs = 1u << 16;
	while (rs < o->bufsize && rs < (1u << 30))
		rs <<= 1;
	g_log_len = 0;
	g_log[0] = 0;
	handle_t *h = calloc(1, sizeof(*h));
	if (!h)
		return ENOMEM;
	h->refs = 1;
	load_cfg_t cfg = {
		.self_tgid = (__u32)getpid(),
		.filter_tgid = o->pid,
		.snaplen = o->snaplen > 4096 ? 4096 : o->snaplen,
		.boot_to_epoch_ns = boot_to_epoch(),
		.ring_bytes = rs,
		.wakeup_bytes = rs / 4 < BATCH_BYTES ? rs / 4 : BATCH_BYTES,
	};
	int err = load_programs(&cfg, &h->progs, what);
	if (!err) {
		h->skel = h->progs.skel[0];
		h->batch = malloc(BATCH_CAP);
		if (!h->batch) {
			unload_programs(&h->progs);
			err = ENOMEM;
		}
	}
	if (err) {
		free(h);
		return err;
	}
	*out = h;
	return 0;
}

/* JS thread: the loaded handle becomes a JS external (closed by close(), GC or env teardown) */
static napi_value wrap_handle(napi_env env, handle_t *h)
{
	h->env = env;
	napi_add_env_cleanup_hook(env, cleanup_hook, h);
	h->cleanup_hook = 1;
	napi_value ext;
	if (napi_create_external(env, h, handle_finalize, NULL, &ext) != napi_ok) {
		shutdown_handle(h, 0);
		handle_unref(h);
		return NULL;
	}
	return ext;
}

static napi_value js_open(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	open_opts_t o;
	parse_open_opts(env, argc, argv, &o);
	libbpf_set_print(libbpf_print);
	handle_t *h = NULL;
	const char *what = "";
	int err = do_open(&o, &h, &what);
	if (err)
		return throw_bpf(env, what, err);
	napi_value ext = wrap_handle(env, h);
	if (!ext)
		napi_throw_error(env, NULL, "tsdig_bpf: napi_create_external failed");
	return ext;
}

/* openAsync(opts) -> Promise<handle>: the load runs on a libuv worker thread, so JS start-up work
 * (module loading, the /proc scan, Docker) and signal handling go on meanwhile. */
typedef struct {
	napi_async_work work;
	napi_deferred deferred;
	open_opts_t o;
	handle_t *h;
	int err;
	const char *what;
	char log[sizeof(g_log)];
	size_t log_len;
} open_req_t;

static void open_execute(napi_env env, void *data)
{
	(void)env;
	open_req_t *r = data;
	r->err = do_open(&r->o, &r->h, &r->what);
	/* the libbpf log is per thread: keep this thread's for the error message */
	memcpy(r->log, g_log, g_log_len + 1);
	r->log_len = g_log_len;
}

static void open_complete(napi_env env, napi_status status, void *data)
{
	open_req_t *r = data;
	if (status == napi_ok && !r->err) {
		napi_value ext = wrap_handle(env, r->h);
		if (ext) {
			napi_resolve_deferred(env, r->deferred, ext);
		} else {
			napi_value m, e;
			napi_create_string_utf8(env, "tsdig_bpf: napi_create_external failed", NAPI_AUTO_LENGTH, &m);
			napi_create_error(env, NULL, m, &e);
			napi_reject_deferred(env, r->deferred, e);
		}
	} else {
		if (status == napi_ok) {
			napi_reject_deferred(env, r->deferred, make_bpf_error(env, r->what, r->err, r->log, r->log_len));
		} else {
			if (r->h) { /* cancelled after a successful load */
				shutdown_handle(r->h, 1);
				handle_unref(r->h);
			}
			napi_value m, e;
			napi_create_string_utf8(env, "tsdig_bpf: open cancelled", NAPI_AUTO_LENGTH, &m);
			napi_create_error(env, NULL, m, &e);
			napi_reject_deferred(env, r->deferred, e);
		}
	}
	napi_delete_async_work(env, r->work);
	free(r);
}

static napi_value js_open_async(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	open_req_t *r = calloc(1, sizeof(*r));
	if (!r) {
		napi_throw_error(env, NULL, "tsdig_bpf: out of memory");
		return NULL;
	}
	parse_open_opts(env, argc, argv, &r->o);
	libbpf_set_print(libbpf_print);
	napi_value promise, name;
	if (napi_create_promise(env, &r->deferred, &promise) != napi_ok) {
		free(r);
		napi_throw_error(env, NULL, "tsdig_bpf: napi_create_promise failed");
		return NULL;
	}
	napi_create_string_utf8(env, "tsdig_bpf.open", NAPI_AUTO_LENGTH, &name);
	if (napi_create_async_work(env, NULL, name, open_execute, open_complete, r, &r->work) != napi_ok ||
	    napi_queue_async_work(env, r->work) != napi_ok) {
		napi_throw_error(env, NULL, "tsdig_bpf: cannot queue the BPF load");
		return NULL;
	}
	return promise;
}

static napi_value js_start(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2];
	NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 2) {
		napi_throw_type_error(env, NULL, "tsdig_bpf.start(handle, onBatch)");
		return NULL;
	}
	handle_t *h = get_handle(env, argv[0]);
	if (!h)
		return NULL;
	napi_valuetype t;
	napi_typeof(env, argv[1], &t);
	if (t != napi_function) {
		napi_throw_type_error(env, NULL, "tsdig_bpf.start: onBatch must be a function");
		return NULL;
	}
	if (h->closed) {
		napi_throw_error(env, NULL, "tsdig_bpf.start: handle is closed");
		return NULL;
	}
	if (h->thr_started) {
		napi_throw_error(env, NULL, "tsdig_bpf.start: already started");
		return NULL;
	}
	g_log_len = 0;
	g_log[0] = 0;
	h->rb = ring_buffer__new(bpf_map__fd(h->skel->maps.rb), on_record, h, NULL);
	if (!h->rb)
		return throw_bpf(env, "ring_buffer__new", errno);
	if (!h->attached) {
		int err = tsdig_bpf__attach(h->skel);
		if (err) {
			ring_buffer__free(h->rb);
			h->rb = NULL;
			return throw_bpf(env, "attach BPF programs", err < 0 ? -err : err);
		}
		h->attached = 1;
	}
	napi_value name;
	napi_create_string_utf8(env, "tsdig_bpf.onBatch", NAPI_AUTO_LENGTH, &name);
	h->refs++;
	if (napi_create_threadsafe_function(env, argv[1], NULL, name, TSFN_QUEUE, 1, NULL, tsfn_finalize, h, call_js,
					    &h->tsfn) != napi_ok) {
		h->refs--;
		napi_throw_error(env, NULL, "tsdig_bpf: napi_create_threadsafe_function failed");
		return NULL;
	}
	if (pthread_create(&h->thr, NULL, poller, h) != 0) {
		napi_throw_error(env, NULL, "tsdig_bpf: pthread_create failed");
		return NULL;
	}
	h->thr_started = 1;
	napi_value undef;
	napi_get_undefined(env, &undef);
	return undef;
}

static void set_num(napi_env env, napi_value obj, const char *k, double v)
{
	napi_value n;
	napi_create_double(env, v, &n);
	napi_set_named_property(env, obj, k, n);
}

static napi_value js_stats(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	handle_t *h = argc ? get_handle(env, argv[0]) : NULL;
	if (!h)
		return NULL;
	struct tsdig_stats s;
	read_stats(h, &s);
	napi_value o;
	napi_create_object(env, &o);
	set_num(env, o, "events", (double)s.events);
	set_num(env, o, "drops", (double)s.drops);
	set_num(env, o, "bytes", (double)s.bytes);
	set_num(env, o, "errors", (double)s.errors);
	set_num(env, o, "batches", (double)atomic_load(&h->batches));
	set_num(env, o, "records", (double)atomic_load(&h->records));
	return o;
}

static napi_value js_close(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	handle_t *h = argc ? get_handle(env, argv[0]) : NULL;
	if (!h)
		return NULL;
	shutdown_handle(h, 0);
	napi_value undef;
	napi_get_undefined(env, &undef);
	return undef;
}

NAPI_MODULE_INIT()
{
	napi_property_descriptor props[] = {
		{ "open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL },
		{ "openAsync", NULL, js_open_async, NULL, NULL, NULL, napi_default, NULL },
		{ "start", NULL, js_start, NULL, NULL, NULL, napi_default, NULL },
		{ "stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL },
		{ "close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL },
	};
	napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
	return exports;
}
