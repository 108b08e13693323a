/*
 * jujusim hook-tool client: the simulator's stand-in for Juju's jujuc (contract §0.1).
 * Installed once, symlinked under every hook-tool name; argv[0]'s basename is the tool.
 * Sends JUJU_CONTEXT_ID, cwd, tool and args to the unix socket named by
 * JUJU_AGENT_SOCKET_ADDRESS and reproduces stdout, stderr and the exit code. Stdin is read and
 * sent only when the agent asks for it (NEED_STDIN), as jujuc does with ErrNoStdin.
 * Framing: see protocol.ts (u32 big-endian lengths).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define NEED_STDIN 0xffffffffu

static void die(const char *what) {
  fprintf(stderr, "error: %s: %s\n", what, strerror(errno));
  exit(1);
}

typedef struct { char *p; size_t len, cap; } buf_t;

static void buf_put(buf_t *b, const void *data, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p) die("out of memory");
    b->cap = cap;
  }
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

static void buf_u32(buf_t *b, uint32_t v) { uint32_t be = htonl(v); buf_put(b, &be, 4); }
static void buf_field(buf_t *b, const void *data, size_t n) { buf_u32(b, (uint32_t)n); buf_put(b, data, n); }

static void read_all_fd(int fd, buf_t *b) {
  char chunk[65536];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n == 0) return;
    if (n < 0) { if (errno == EINTR) continue; die("read stdin"); }
    buf_put(b, chunk, (size_t)n);
  }
}

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) { if (errno == EINTR) continue; return; }
    p += w; n -= (size_t)w;
  }
}

static void read_exact(int fd, void *dst, size_t n) {
  char *p = dst;
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r == 0) { fprintf(stderr, "error: connection closed by agent\n"); exit(1); }
    if (r < 0) { if (errno == EINTR) continue; die("read response"); }
    p += r; n -= (size_t)r;
  }
}

static uint32_t read_u32(int fd) { uint32_t be; read_exact(fd, &be, 4); return ntohl(be); }

/* Reads a length-prefixed blob from the socket and copies it to out_fd. */
static void relay(int sock, int out_fd) {
  uint32_t len = read_u32(sock);
  char chunk[65536];
  while (len > 0) {
    size_t want = len < sizeof chunk ? len : sizeof chunk;
    read_exact(sock, chunk, want);
    write_all(out_fd, chunk, want);
    len -= (uint32_t)want;
  }
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  const char *ctx = getenv("JUJU_CONTEXT_ID");
  if (!ctx || !*ctx) { fputs("error: JUJU_CONTEXT_ID not set\n", stderr); return 1; }
  const char *addr = getenv("JUJU_AGENT_SOCKET_ADDRESS");
  if (!addr || !*addr) { fputs("error: JUJU_AGENT_SOCKET_ADDRESS not set\n", stderr); return 1; }
  const char *net = getenv("JUJU_AGENT_SOCKET_NETWORK");
  if (net && *net && strcmp(net, "unix") != 0) { fprintf(stderr, "error: unsupported socket network %s\n", net); return 1; }

  const char *tool = strrchr(argv[0], '/');
  tool = tool ? tool + 1 : argv[0];
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) die("getcwd");

  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  if (strlen(addr) >= sizeof sa.sun_path) { fputs("error: socket path too long\n", stderr); return 1; }
  strcpy(sa.sun_path, addr);

  /* Like jujuc: first call without stdin; read stdin only if the agent asks for it. */
  buf_t in = {0};
  for (int stdin_set = 0; stdin_set < 2; stdin_set++) {
    buf_t req = {0};
    buf_put(&req, "JSC1", 4);
    buf_u32(&req, (uint32_t)(5 + (argc - 1)));
    buf_field(&req, ctx, strlen(ctx));
    buf_field(&req, cwd, strlen(cwd));
    buf_field(&req, tool, strlen(tool));
    buf_field(&req, stdin_set ? "1" : "0", 1);
    buf_field(&req, in.p ? in.p : "", in.len);
    for (int i = 1; i < argc; i++) buf_field(&req, argv[i], strlen(argv[i]));

    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0) die("socket");
    if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
      fprintf(stderr, "error: dial unix %s: connect: %s\n", addr, strerror(errno));
      return 1;
    }
    write_all(s, req.p, req.len);
    free(req.p);
    shutdown(s, SHUT_WR);

    uint32_t code = read_u32(s);
    if (code == NEED_STDIN && !stdin_set) {
      close(s);
      read_all_fd(0, &in);
      continue;
    }
    relay(s, 1);
    relay(s, 2);
    close(s);
    return (int)code;
  }
  fputs("error: agent asked for stdin twice\n", stderr);
  return 1;
}
