// refrecv: the reference receiver for the ingest benchmark. The least work a receiver can do —
// recvmmsg in batches, count datagrams and bytes — so its zero-loss rate is the physical limit of
// this machine's loopback and scheduler, against which the collector is compared.
//
// Prints `listening <port>` once bound (port 0 picks a free one). SIGUSR1 prints the counts so far as
// one JSON line; SIGTERM/SIGINT, or --quiet-ms without datagrams once some have arrived, prints them
// and exits. Counts: datagrams, bytes, and the kernel's count of datagrams dropped on this socket for
// lack of buffer space (SO_RXQ_OVFL).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256
#define SLOT 2048

static volatile sig_atomic_t stop_requested, report_requested;
static void on_stop(int sig) { (void)sig; stop_requested = 1; }
static void on_report(int sig) { (void)sig; report_requested = 1; }

static int parse_listen(const char *s, struct sockaddr_storage *out, socklen_t *len) {
  char host[128];
  const char *colon = strrchr(s, ':');
  if (!colon) return -1;
  size_t hlen = (size_t)(colon - s);
  if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') { s++; hlen -= 2; }
  if (hlen >= sizeof host) return -1;
  memcpy(host, s, hlen);
  host[hlen] = 0;
  int port = atoi(colon + 1);
  memset(out, 0, sizeof *out);
  struct sockaddr_in *v4 = (struct sockaddr_in *)out;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    *len = sizeof *v4;
    return 0;
  }
  if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    *len = sizeof *v6;
    return 0;
  }
  return -1;
}

static double now_sec(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_counts(uint64_t datagrams, uint64_t bytes, uint32_t drops, int granted) {
  printf("{\"datagrams\":%llu,\"bytes\":%llu,\"socketDrops\":%u,\"rcvbufBytes\":%d}\n",
         (unsigned long long)datagrams, (unsigned long long)bytes, drops, granted);
  fflush(stdout);
}

int main(int argc, char **argv) {
  static const struct option longopts[] = {
    {"listen", required_argument, 0, 'l'},
    {"rcvbuf", required_argument, 0, 'r'},
    {"quiet-ms", required_argument, 0, 'q'},
    {0, 0, 0, 0},
  };
  const char *listen_at = "127.0.0.1:0";
  int rcvbuf = 8 << 20, quiet_ms = 0, opt;
  while ((opt = getopt_long(argc, argv, "", longopts, 0)) != -1) {
    switch (opt) {
    case 'l': listen_at = optarg; break;
    case 'r': rcvbuf = atoi(optarg); break;
    case 'q': quiet_ms = atoi(optarg); break;
    default:
      fprintf(stderr, "usage: refrecv [--listen HOST:PORT] [--rcvbuf BYTES] [--quiet-ms MS]\n");
      return 2;
    }
  }
  struct sockaddr_storage addr;
  socklen_t addrlen;
  if (parse_listen(listen_at, &addr, &addrlen)) {
    fprintf(stderr, "refrecv: bad --listen %s\n", listen_at);
    return 2;
  }
  int fd = socket(addr.ss_family, SOCK_DGRAM, 0);
  if (fd < 0) { perror("refrecv: socket"); return 1; }
  /* Plain SO_RCVBUF, capped by net.core.rmem_max, as Node's dgram `recvBufferSize` does: the
     comparison with the collector is only fair with the same buffer. */
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  int granted = 0;
  socklen_t glen = sizeof granted;
  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &glen);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
  /* A receive timeout lets the loop notice signals and the quiet period. */
  struct timeval tv = { 0, 50000 };
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (bind(fd, (struct sockaddr *)&addr, addrlen) < 0) { perror("refrecv: bind"); return 1; }
  getsockname(fd, (struct sockaddr *)&addr, &addrlen);
  int port = ntohs(addr.ss_family == AF_INET ? ((struct sockaddr_in *)&addr)->sin_port
                                             : ((struct sockaddr_in6 *)&addr)->sin6_port);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop; /* no SA_RESTART: recvmmsg returns EINTR */
  sigaction(SIGTERM, &sa, 0);
  sigaction(SIGINT, &sa, 0);
  sa.sa_handler = on_report;
  sigaction(SIGUSR1, &sa, 0);

  static char bufs[BATCH][SLOT];
  static struct iovec iov[BATCH];
  static struct mmsghdr msgs[BATCH];
  static union { char buf[CMSG_SPACE(sizeof(uint32_t))]; struct cmsghdr align; } ctl[BATCH];
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = bufs[i];
    iov[i].iov_len = SLOT;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  printf("listening %d\n", port);
  fflush(stdout);

  uint64_t datagrams = 0, bytes = 0;
  uint32_t drops = 0;
  double last_rx = 0;
  while (!stop_requested) {
    if (report_requested) {
      report_requested = 0;
      print_counts(datagrams, bytes, drops, granted);
    }
    for (int i = 0; i < BATCH; i++) {
      msgs[i].msg_hdr.msg_control = ctl[i].buf;
      msgs[i].msg_hdr.msg_controllen = sizeof ctl[i].buf;
    }
    int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, 0);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { perror("refrecv: recvmmsg"); return 1; }
      if (quiet_ms > 0 && datagrams > 0 && (now_sec() - last_rx) * 1e3 >= quiet_ms) break;
      continue;
    }
    for (int i = 0; i < n; i++) {
      bytes += msgs[i].msg_len;
      struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr);
      if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) memcpy(&drops, CMSG_DATA(c), sizeof drops);
    }
    datagrams += (uint64_t)n;
    if (quiet_ms > 0) last_rx = now_sec();
  }
  print_counts(datagrams, bytes, drops, granted);
  return 0;
}
