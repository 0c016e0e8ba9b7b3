// loadgen: sends realistic extended-format netconsole traffic from many simulated source hosts over
// loopback, at a paced rate, and reports what it actually sent.
//
// Every source host is one address in 127.0.0.0/8 (all of it is local on Linux). One socket sends
// for all of them: each message carries an IP_PKTINFO control message whose ipi_spec_dst picks the
// source address, so 10,000 sources cost one file descriptor and one sendmmsg per batch.
//
// Traffic per source follows what a kernel sends: `<prefix>,<seq>,<ts_usec>,<flags>;<text>` with a
// per-source sequence number that only increases, a monotonic microsecond timestamp, mostly normal
// kernel lines (levels 4-6), some userspace /dev/kmsg lines (facility 3), continuation records, long
// records split into `ncfrag=<offset>/<total>` fragments of at most 1000 bytes, and, now and then, a
// whole oops + panic sequence after which that source "reboots" (sequence and timestamp restart).
//
// With --incomplete-frags every datagram is instead the first fragment (`ncfrag=0/<total>`) of a new
// record whose other fragments never come: what an attacker sends to fill a reassembler.
//
// Output: one JSON object on stdout when done (datagrams and bytes sent, the rate achieved, how far
// pacing fell behind), so a caller can tell when the generator rather than the receiver was the limit.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 64
#define MAX_DGRAM 1000 /* netconsole's limit per datagram */
#define MAX_RECORD 4096
/* Sources are addresses of 127.0.0.0/8 from --source-base, 250 per /24: 40 /16s' worth. */
#define MAX_SOURCES (250u * 256u * 40u)

static const char *const normal_lines[] = {
  "6;IPv6: ADDRCONF(NETDEV_CHANGE): cali7f3a9c21d0e: link becomes ready",
  "6;cni0: port 3(veth8c1d2e3f) entered forwarding state",
  "6;eth0: renamed from tmp4b1c2",
  "6;EXT4-fs (nvme1n1): mounted filesystem with ordered data mode. Quota mode: none.",
  "6;IPVS: rr: TCP 10.96.0.10:53 - no destination available",
  "5;audit: type=1400 audit(1732781234.512:7131): apparmor=\"DENIED\" operation=\"open\" "
  "profile=\"cri-containerd.apparmor.d\" name=\"/proc/sys/kernel/random/boot_id\" pid=48211 "
  "comm=\"node\" requested_mask=\"r\" denied_mask=\"r\" fsuid=65534 ouid=0",
  "4;TCP: request_sock_TCP: Possible SYN flooding on port 10250. Sending cookies.  Check SNMP counters.",
  "4;nf_conntrack: nf_conntrack: table full, dropping packet",
  "5;kauditd_printk_skb: 14 callbacks suppressed",
  "6;device veth5d0e7a1 entered promiscuous mode",
  "6;xfs filesystem being remounted at /var/lib/kubelet/pods/5b9c/volume-subpaths/config/app/0 supports timestamps until 2038",
  "4;blk_update_request: I/O error, dev nvme0n1, sector 4194304 op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 0",
  /* Userspace lines written to /dev/kmsg arrive with facility 3 (daemon): prefix 3<<3|6 = 30. */
  "30;systemd[1]: Started cri-containerd-4f5e6d7c8b9a.scope - libcontainer container 4f5e6d7c8b9a.",
  "30;systemd[1]: run-containerd-runc-k8s.io-1a2b3c-runc.Xy12Ab.mount: Deactivated successfully.",
};
#define N_NORMAL (sizeof(normal_lines) / sizeof(normal_lines[0]))

/* A kernel oops that escalates to a panic, as Debian's 6.1 kernel prints it (levels as printed). */
static const char *const panic_lines[] = {
  "1;BUG: kernel NULL pointer dereference, address: 0000000000000008",
  "1;#PF: supervisor read access in kernel mode",
  "1;#PF: error_code(0x0000) - not-present page",
  "6;PGD 0 P4D 0 ",
  "4;Oops: 0000 [#1] PREEMPT SMP NOPTI",
  "4;CPU: 3 PID: 48211 Comm: kworker/3:1 Not tainted 6.1.0-27-amd64 #1 Debian 6.1.115-1",
  "4;Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014",
  "4;RIP: 0010:mlx5e_napi_poll+0x4a/0x6c0 [mlx5_core]",
  "4;Call Trace:",
  "4; <TASK>",
  "4; __napi_poll+0x28/0x160",
  "4; net_rx_action+0x29e/0x350",
  "4; __do_softirq+0xc5/0x2c8",
  "4; </TASK>",
  "0;Kernel panic - not syncing: Fatal exception in interrupt",
  "0;Kernel Offset: 0x2a000000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)",
  "0;---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---",
};
#define N_PANIC (sizeof(panic_lines) / sizeof(panic_lines[0]))

struct source {
  struct in_addr addr;
  uint64_t seq;
  uint64_t boot_usec;  /* timestamp offset: how long this source had been up when we started */
  uint32_t panic_pos;  /* 0: normal; k>0: next panic line is panic_lines[k-1] */
  uint32_t frag_off;   /* bytes of the current long record already sent (0: none pending) */
  uint32_t frag_total;
  uint64_t frag_seq;
  uint64_t frag_ts;
  char frag_level;
};

struct options {
  struct sockaddr_in target;
  uint32_t sources;
  struct in_addr source_base;
  double rate;       /* datagrams per second; 0 = as fast as possible */
  double duration;   /* seconds; 0 = until count */
  uint64_t count;    /* datagrams; 0 = until duration */
  uint64_t per_source;
  uint64_t panic_every; /* datagrams between panics (0 = never) */
  uint32_t long_every;  /* one record in N is long enough to be fragmented (0 = never) */
  uint32_t seed;
  uint32_t threads;  /* sending threads, each with its own socket and its own share of the sources */
  int incomplete_frags; /* every datagram the first fragment of a record never completed */
};

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

/* xorshift32: deterministic, cheap; quality is irrelevant here. */
static __thread uint32_t rng_state = 2463534242u;
static uint32_t rnd(void) {
  uint32_t x = rng_state;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  return rng_state = x;
}

static double now_sec(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *put_u64(char *p, uint64_t v) {
  char tmp[24];
  int n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (n) *p++ = tmp[--n];
  return p;
}

/* "<level-or-prefix>;text": returns the prefix number and points *text past the ';'. */
static unsigned split_line(const char *line, const char **text) {
  unsigned prefix = 0;
  while (*line >= '0' && *line <= '9') prefix = prefix * 10 + (unsigned)(*line++ - '0');
  *text = line + 1;
  return prefix;
}

/* Builds `<prefix>,<seq>,<ts>,<flags>[,ncfrag=<off>/<total>];<text>\n`; returns its length. */
static size_t build_header(char *buf, unsigned prefix, uint64_t seq, uint64_t ts, char flag) {
  char *p = put_u64(buf, prefix);
  *p++ = ',';
  p = put_u64(p, seq);
  *p++ = ',';
  p = put_u64(p, ts);
  *p++ = ',';
  *p++ = flag;
  return (size_t)(p - buf);
}

static char long_text[MAX_RECORD];
static size_t long_text_len;

static void init_long_text(void) {
  /* A `Modules linked in:` line as long kernels print it: ~1900 bytes, so it takes two fragments. */
  static const char *const mods[] = {
    "xt_conntrack", "nft_chain_nat", "xt_MASQUERADE", "nf_nat", "nf_conntrack_netlink", "nf_conntrack",
    "nf_defrag_ipv6", "nf_defrag_ipv4", "xfrm_user", "xfrm_algo", "xt_addrtype", "nft_compat",
    "nf_tables", "nfnetlink", "br_netfilter", "bridge", "stp", "llc", "overlay", "intel_rapl_msr",
    "intel_rapl_common", "kvm_intel", "kvm", "irqbypass", "ghash_clmulni_intel", "sha512_ssse3",
    "sha256_ssse3", "sha1_ssse3", "aesni_intel", "crypto_simd", "cryptd", "rapl", "mlx5_ib",
    "ib_uverbs", "ib_core", "mlx5_core", "mlxfw", "psample", "tls", "pci_hyperv_intf", "nvme",
    "nvme_core", "t10_pi", "crc64_rocksoft_generic", "crc64_rocksoft", "crc_t10dif",
    "crct10dif_generic", "crct10dif_pclmul", "crc64", "crct10dif_common", "netconsole", "configfs",
  };
  size_t n = (size_t)snprintf(long_text, sizeof long_text, "Modules linked in:");
  for (int round = 0; round < 3; round++)
    for (size_t i = 0; i < sizeof mods / sizeof mods[0] && n + 40 < sizeof long_text; i++)
      n += (size_t)snprintf(long_text + n, sizeof long_text - n, " %s%s", mods[i], round ? "_x" : "");
  n += (size_t)snprintf(long_text + n, sizeof long_text - n, "\n");
  long_text_len = n;
}

/* Fills one datagram for source s at elapsed time t_usec; returns its length. */
static size_t next_datagram(struct source *s, const struct options *o, uint64_t t_usec, char *buf,
                            uint64_t *panics, uint64_t *fragments) {
  uint64_t ts = s->boot_usec + t_usec;
  const char *text;
  if (o->incomplete_frags) {
    /* The first ~900 bytes of a ~1900-byte record; the rest never follows. */
    size_t h = build_header(buf, 4, s->seq++, ts, '-');
    h += (size_t)snprintf(buf + h, 64, ",ncfrag=0/%u;", (unsigned)long_text_len);
    size_t take = MAX_DGRAM - h;
    memcpy(buf + h, long_text, take);
    (*fragments)++;
    return h + take;
  }
  if (s->frag_total) {
    /* Continue a fragmented record: same header (seq, ts) and the next slice of text. */
    char hdr[96];
    size_t h = build_header(hdr, (unsigned)s->frag_level, s->frag_seq, s->frag_ts, '-');
    size_t n = (size_t)snprintf(hdr + h, sizeof hdr - h, ",ncfrag=%u/%u;", s->frag_off, s->frag_total);
    h += n;
    size_t room = MAX_DGRAM - h;
    size_t left = s->frag_total - s->frag_off;
    size_t take = left < room ? left : room;
    memcpy(buf, hdr, h);
    memcpy(buf + h, long_text + s->frag_off, take);
    s->frag_off += (uint32_t)take;
    (*fragments)++;
    if (s->frag_off >= s->frag_total) s->frag_total = 0;
    return h + take;
  }
  if (s->panic_pos) {
    unsigned prefix = split_line(panic_lines[s->panic_pos - 1], &text);
    size_t h = build_header(buf, prefix, s->seq++, ts, '-');
    buf[h++] = ';';
    size_t len = strlen(text);
    memcpy(buf + h, text, len);
    buf[h + len] = '\n';
    if (++s->panic_pos > N_PANIC) {
      /* The node reboots: the sequence and the kernel clock start again. */
      s->panic_pos = 0;
      s->seq = rnd() % 8;
      s->boot_usec = 3000000 + rnd() % 1000000;
      s->boot_usec -= t_usec < s->boot_usec ? t_usec : 0;
      (*panics)++;
    }
    return h + len + 1;
  }
  if (o->long_every && rnd() % o->long_every == 0) {
    s->frag_level = 4;
    s->frag_seq = s->seq++;
    s->frag_ts = ts;
    s->frag_off = 0;
    s->frag_total = (uint32_t)long_text_len;
    return next_datagram(s, o, t_usec, buf, panics, fragments);
  }
  unsigned prefix = split_line(normal_lines[rnd() % N_NORMAL], &text);
  char flag = (rnd() % 64 == 0) ? 'c' : '-';
  size_t h = build_header(buf, prefix, s->seq++, ts, flag);
  buf[h++] = ';';
  size_t len = strlen(text);
  memcpy(buf + h, text, len);
  buf[h + len] = '\n';
  return h + len + 1;
}

static int parse_ipv4_port(const char *s, struct sockaddr_in *out) {
  char host[64];
  const char *colon = strrchr(s, ':');
  if (!colon || (size_t)(colon - s) >= sizeof host) return -1;
  memcpy(host, s, (size_t)(colon - s));
  host[colon - s] = 0;
  memset(out, 0, sizeof *out);
  out->sin_family = AF_INET;
  int port = atoi(colon + 1);
  if (port <= 0 || port > 65535) return -1;
  out->sin_port = htons((uint16_t)port);
  return inet_pton(AF_INET, host, &out->sin_addr) == 1 ? 0 : -1;
}

static void usage(void) {
  fprintf(stderr,
          "usage: loadgen --target IPv4:PORT [--sources N] [--source-base 127.1.0.0] [--rate PPS]\n"
          "               [--duration SEC | --count N | --per-source N] [--panic-every N]\n"
          "               [--long-every N] [--seed N] [--threads N] [--incomplete-frags]\n");
}

static int parse_args(int argc, char **argv, struct options *o) {
  static const struct option longopts[] = {
    {"target", required_argument, 0, 't'},      {"sources", required_argument, 0, 's'},
    {"source-base", required_argument, 0, 'b'}, {"rate", required_argument, 0, 'r'},
    {"duration", required_argument, 0, 'd'},    {"count", required_argument, 0, 'c'},
    {"per-source", required_argument, 0, 'p'},  {"panic-every", required_argument, 0, 'P'},
    {"long-every", required_argument, 0, 'l'},  {"seed", required_argument, 0, 'S'},
    {"threads", required_argument, 0, 'T'},     {"incomplete-frags", no_argument, 0, 'F'},
    {0, 0, 0, 0},
  };
  int have_target = 0, opt;
  memset(o, 0, sizeof *o);
  o->sources = 1000;
  inet_pton(AF_INET, "127.1.0.0", &o->source_base);
  o->panic_every = 200000;
  o->long_every = 100;
  o->seed = 1;
  o->threads = 1;
  while ((opt = getopt_long(argc, argv, "", longopts, 0)) != -1) {
    switch (opt) {
    case 't': if (parse_ipv4_port(optarg, &o->target)) { fprintf(stderr, "loadgen: bad --target %s\n", optarg); return -1; } have_target = 1; break;
    case 's': o->sources = (uint32_t)strtoul(optarg, 0, 10); break;
    case 'b': if (inet_pton(AF_INET, optarg, &o->source_base) != 1) { fprintf(stderr, "loadgen: bad --source-base\n"); return -1; } break;
    case 'r': o->rate = strtod(optarg, 0); break;
    case 'd': o->duration = strtod(optarg, 0); break;
    case 'c': o->count = strtoull(optarg, 0, 10); break;
    case 'p': o->per_source = strtoull(optarg, 0, 10); break;
    case 'P': o->panic_every = strtoull(optarg, 0, 10); break;
    case 'l': o->long_every = (uint32_t)strtoul(optarg, 0, 10); break;
    case 'S': o->seed = (uint32_t)strtoul(optarg, 0, 10); break;
    case 'T': o->threads = (uint32_t)strtoul(optarg, 0, 10); break;
    case 'F': o->incomplete_frags = 1; break;
    default: usage(); return -1;
    }
  }
  if (!have_target || o->sources == 0 || o->sources > MAX_SOURCES || o->threads == 0 || o->threads > o->sources) {
    usage();
    fprintf(stderr, "loadgen: --target is required, --sources must be 1..%u, --threads 1..sources\n", MAX_SOURCES);
    return -1;
  }
  if (o->per_source) o->count = o->per_source * o->sources;
  if (!o->count && o->duration <= 0) { fprintf(stderr, "loadgen: give --duration, --count or --per-source\n"); return -1; }
  return 0;
}

/* Source i gets base + (i / 250) * 256 + i % 250 + 1: no host part .0 or .251-.255 in any /24. */
static struct in_addr source_addr(struct in_addr base, uint32_t i) {
  uint32_t b = ntohl(base.s_addr);
  struct in_addr a = { htonl(b + (i / 250) * 256 + (i % 250) + 1) };
  return a;
}

/* One sending thread: its own socket, a contiguous share of the sources, and its share of the rate
   and of the datagram count. */
struct sender {
  const struct options *o;
  struct source *src;
  uint32_t nsrc;
  uint32_t seed;
  double rate;
  uint64_t count;
  uint64_t panic_every;
  double start;
  /* results */
  uint64_t sent, bytes, errors, panics, fragments;
  double max_lag, seconds;
  int first_error;
};

struct batch_buffers {
  char bufs[MAX_BATCH][MAX_DGRAM + 64];
  struct iovec iov[MAX_BATCH];
  struct mmsghdr msgs[MAX_BATCH];
  union { char buf[CMSG_SPACE(sizeof(struct in_pktinfo))]; struct cmsghdr align; } ctl[MAX_BATCH];
  struct in_pktinfo *pktinfo[MAX_BATCH];
};

static void init_batch(struct batch_buffers *b, const struct sockaddr_in *target) {
  for (int i = 0; i < MAX_BATCH; i++) {
    b->iov[i].iov_base = b->bufs[i];
    struct msghdr *h = &b->msgs[i].msg_hdr;
    h->msg_name = (void *)target;
    h->msg_namelen = sizeof *target;
    h->msg_iov = &b->iov[i];
    h->msg_iovlen = 1;
    h->msg_control = b->ctl[i].buf;
    h->msg_controllen = sizeof b->ctl[i].buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(h);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    b->pktinfo[i] = (struct in_pktinfo *)(void *)CMSG_DATA(c);
  }
}

static void *run_sender(void *arg) {
  struct sender *w = arg;
  const struct options *o = w->o;
  rng_state = w->seed ? w->seed : 1;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) { w->first_error = errno; return 0; }
  int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  struct batch_buffers *b = calloc(1, sizeof *b);
  if (!b) { w->first_error = ENOMEM; close(fd); return 0; }
  init_batch(b, &o->target);

  /* Batch size: large enough to amortise the syscall, small enough that pacing stays smooth
     (about 2,000 batches a second at most). */
  uint32_t batch = w->rate > 0 ? (uint32_t)(w->rate / 2000) : MAX_BATCH;
  if (batch < 1) batch = 1;
  if (batch > MAX_BATCH) batch = MAX_BATCH;

  uint64_t next_panic = w->panic_every;
  uint32_t cursor = 0;
  const double start = w->start;
  while (!stop_requested) {
    double elapsed = now_sec() - start;
    if (o->duration > 0 && elapsed >= o->duration) break;
    if (w->count && w->sent >= w->count) break;
    uint64_t want = batch;
    if (w->rate > 0) {
      double due = w->rate * elapsed;
      if ((double)w->sent + batch > due) {
        /* Ahead of schedule: sleep until the next batch is due. */
        double wake = start + ((double)w->sent + batch) / w->rate;
        struct timespec ts = { (time_t)wake, (long)((wake - (double)(time_t)wake) * 1e9) };
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, 0);
        continue;
      }
      double lag = (due - (double)w->sent) / w->rate;
      if (lag > w->max_lag) w->max_lag = lag;
      want = (uint64_t)(due - (double)w->sent);
      if (want > MAX_BATCH) want = MAX_BATCH;
    }
    if (w->count && want > w->count - w->sent) want = w->count - w->sent;
    uint64_t t_usec = (uint64_t)(elapsed * 1e6);
    for (uint64_t i = 0; i < want; i++) {
      struct source *s = &w->src[cursor];
      if (w->panic_every && w->sent + i >= next_panic && !s->panic_pos && !s->frag_total) {
        s->panic_pos = 1;
        next_panic += w->panic_every;
      }
      size_t len = next_datagram(s, o, t_usec, b->bufs[i], &w->panics, &w->fragments);
      b->iov[i].iov_len = len;
      b->pktinfo[i]->ipi_ifindex = 0;
      b->pktinfo[i]->ipi_addr.s_addr = 0;
      b->pktinfo[i]->ipi_spec_dst = s->addr;
      w->bytes += len;
      cursor = cursor + 1 == w->nsrc ? 0 : cursor + 1;
    }
    uint64_t done = 0;
    while (done < want) {
      int n = sendmmsg(fd, b->msgs + done, (unsigned)(want - done), 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (!w->first_error) w->first_error = errno;
        w->errors += want - done;
        break;
      }
      done += (uint64_t)n;
    }
    w->sent += done;
    /* A refused send (bad target, no route) will not get better: stop rather than spin. Transient
       buffer shortage (ENOBUFS/EAGAIN) only drops this batch. */
    if (done < want && w->first_error && w->first_error != ENOBUFS && w->first_error != EAGAIN) break;
  }
  w->seconds = now_sec() - start;
  free(b);
  close(fd);
  return 0;
}

int main(int argc, char **argv) {
  struct options o;
  if (parse_args(argc, argv, &o)) return 2;
  rng_state = o.seed ? o.seed * 2654435761u : 1;
  init_long_text();
  prctl(PR_SET_TIMERSLACK, 1UL);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);

  struct source *src = calloc(o.sources, sizeof *src);
  struct sender *w = calloc(o.threads, sizeof *w);
  pthread_t *tid = calloc(o.threads, sizeof *tid);
  if (!src || !w || !tid) { perror("loadgen: calloc"); return 1; }
  for (uint32_t i = 0; i < o.sources; i++) {
    src[i].addr = source_addr(o.source_base, i);
    src[i].seq = 1000 + rnd() % 100000;
    src[i].boot_usec = 60000000ull + (uint64_t)(rnd() % 3600) * 1000000ull;
  }
  const double start = now_sec();
  uint32_t first = 0;
  for (uint32_t k = 0; k < o.threads; k++) {
    uint32_t n = o.sources / o.threads + (k < o.sources % o.threads ? 1 : 0);
    w[k].o = &o;
    w[k].src = src + first;
    w[k].nsrc = n;
    w[k].seed = rnd();
    w[k].rate = o.rate * n / o.sources;
    w[k].count = o.per_source ? o.per_source * n : o.count ? o.count * n / o.sources : 0;
    if (!o.per_source && o.count && k + 1 == o.threads) {
      uint64_t assigned = 0;
      for (uint32_t j = 0; j < k; j++) assigned += w[j].count;
      w[k].count = o.count - assigned;
    }
    w[k].panic_every = o.panic_every * o.threads;
    w[k].start = start;
    first += n;
    if (pthread_create(&tid[k], 0, run_sender, &w[k])) { perror("loadgen: pthread_create"); return 1; }
  }
  uint64_t sent = 0, bytes = 0, errors = 0, panics = 0, fragments = 0;
  double max_lag = 0, seconds = 0;
  int first_error = 0;
  for (uint32_t k = 0; k < o.threads; k++) {
    pthread_join(tid[k], 0);
    sent += w[k].sent;
    bytes += w[k].bytes;
    errors += w[k].errors;
    panics += w[k].panics;
    fragments += w[k].fragments;
    if (w[k].max_lag > max_lag) max_lag = w[k].max_lag;
    if (w[k].seconds > seconds) seconds = w[k].seconds;
    if (!first_error) first_error = w[k].first_error;
  }
  /* CPU used by all threads, including the loopback delivery the kernel does in the sender's context. */
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
               (double)ru.ru_stime.tv_usec / 1e6;
  printf("{\"sent\":%llu,\"bytes\":%llu,\"seconds\":%.6f,\"cpuSeconds\":%.3f,\"targetPps\":%.0f,"
         "\"achievedPps\":%.0f,\"maxLagMs\":%.3f,\"sources\":%u,\"threads\":%u,\"panics\":%llu,"
         "\"fragments\":%llu,\"sendErrors\":%llu,\"firstError\":\"%s\"}\n",
         (unsigned long long)sent, (unsigned long long)bytes, seconds, cpu, o.rate,
         seconds > 0 ? (double)sent / seconds : 0.0, max_lag * 1e3, o.sources, o.threads,
         (unsigned long long)panics, (unsigned long long)fragments, (unsigned long long)errors,
         first_error ? strerror(first_error) : "");
  return first_error && !sent ? 1 : 0;
}
