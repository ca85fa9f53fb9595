/* gilbench's native engine for the closed-loop echo load (see bench/loadgen/native.ts).
 *
 * One thread, level-triggered epoll, C connections with one numbered S-byte message in flight
 * each; every echoed byte is compared with the byte sent. The harness drives it over stdin:
 * "measure" opens the window, "stop" closes it and prints the result line, end of input exits
 * (the connections stay open until then, so that the server can be stopped first).
 *
 * stdout, one JSON line each: {"event":"ready"} once every connection has had its first answer
 * or failed, then {"event":"result",...}.
 *
 * Usage: echo-load PORT CONNECTIONS MESSAGE_BYTES TIMEOUT_MS [CPUS, e.g. 0-2,5]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Connects in waves, as the Node engine does: ten thousand SYNs at once overflow a backlog. */
#define CONNECTS_IN_FLIGHT 128
#define TIMEOUT_CHECK_NS 50000000LL
#define STDIN_TAG UINT32_MAX

/* A log-linear histogram of nanoseconds with HdrHistogram's layout at 3 significant digits:
 * values below 2048 exact, above that 1024 steps per power of two (at most 0.1% apart). */
#define EXACT 2048
#define STEPS 1024
#define MAX_SHIFT 30
#define BUCKETS (EXACT + MAX_SHIFT * STEPS)

static uint64_t histogram[BUCKETS];
static uint64_t recorded, recorded_max;
static double recorded_sum;

static int bucket_of(uint64_t ns) {
  if (ns < EXACT) return (int)ns;
  int shift = 63 - __builtin_clzll(ns) - 10;
  if (shift > MAX_SHIFT) return BUCKETS - 1;
  return EXACT + (shift - 1) * STEPS + (int)((ns >> shift) - STEPS);
}

/* The largest value a bucket holds, as HdrHistogram reports a percentile. */
static uint64_t highest_in(int bucket) {
  if (bucket < EXACT) return (uint64_t)bucket;
  int shift = (bucket - EXACT) / STEPS + 1;
  uint64_t low = (uint64_t)((bucket - EXACT) % STEPS + STEPS) << shift;
  return low + (1ULL << shift) - 1;
}

static void record(uint64_t ns) {
  if (ns < 1) ns = 1;
  histogram[bucket_of(ns)]++;
  recorded++;
  recorded_sum += (double)ns;
  if (ns > recorded_max) recorded_max = ns;
}

static uint64_t percentile(double p) {
  uint64_t wanted = (uint64_t)(p / 100 * (double)recorded + 0.5), seen = 0;
  if (wanted < 1) wanted = 1;
  for (int i = 0; i < BUCKETS; i++) {
    seen += histogram[i];
    if (seen >= wanted) return highest_in(i);
  }
  return recorded_max;
}

enum state { CONNECTING, RUNNING, CLOSED };
enum error_kind { E_CONNECT, E_RESET, E_TIMEOUT, E_SHORT, E_CORRUPT, ERROR_KINDS };
static const char *error_names[ERROR_KINDS] = {"connect", "reset", "timeout", "short", "corrupt"};

struct connection {
  int fd;
  enum state state;
  int in_flight, wants_out;
  size_t sent, got;
  uint32_t sequence;
  long answers;
  int64_t created_at, sent_at;
  unsigned char *message;
};

static struct connection *connections;
static int total, opened, settled, port, epoll_fd;
static size_t message_bytes;
static int64_t timeout_ns;
static int measuring, stopped;
static int64_t window_start;
static long completed, errors[ERROR_KINDS];
static long *per_second;
static size_t per_second_length;
static struct rusage usage_at_start;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void watch(struct connection *c, int op, uint32_t events) {
  struct epoll_event event = {.events = events, .data.u32 = (uint32_t)(c - connections)};
  epoll_ctl(epoll_fd, op, c->fd, &event);
}

static void settle(void) {
  if (++settled == total) printf("{\"event\":\"ready\"}\n"), fflush(stdout);
}

static void open_next(int64_t now);

static void fail(struct connection *c, enum error_kind kind, int64_t now) {
  if (c->state == CLOSED) return;
  if (c->state == CONNECTING) kind = E_CONNECT;
  c->state = CLOSED;
  close(c->fd);
  errors[kind]++;
  if (c->answers == 0) settle();
  open_next(now);
}

/* Sends what is left of the message in flight; the rest waits for EPOLLOUT. */
static void push(struct connection *c, int64_t now) {
  while (c->sent < message_bytes) {
    ssize_t n = send(c->fd, c->message + c->sent, message_bytes - c->sent, MSG_NOSIGNAL);
    if (n > 0) {
      c->sent += (size_t)n;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!c->wants_out) c->wants_out = 1, watch(c, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
      return;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return fail(c, c->got > 0 ? E_SHORT : E_RESET, now);
    }
  }
  if (c->wants_out) c->wants_out = 0, watch(c, EPOLL_CTL_MOD, EPOLLIN);
}

static void send_next(struct connection *c, int64_t now) {
  /* A number in every message: an echo of an earlier message does not pass for this one. */
  if (message_bytes >= 4) {
    uint32_t s = c->sequence++;
    for (int i = 0; i < 4; i++) c->message[i] = (unsigned char)(s >> (8 * i));
  }
  c->sent = c->got = 0;
  c->in_flight = 1;
  c->sent_at = now;
  push(c, now);
}

static void answered(struct connection *c, int64_t now) {
  c->in_flight = 0;
  if (++c->answers == 1) settle();
  if (measuring) {
    completed++;
    record((uint64_t)(now - c->sent_at));
    size_t second = (size_t)((now - window_start) / 1000000000LL);
    if (second >= per_second_length) {
      size_t length = second + 16;
      per_second = realloc(per_second, length * sizeof *per_second);
      memset(per_second + per_second_length, 0, (length - per_second_length) * sizeof *per_second);
      per_second_length = length;
    }
    per_second[second]++;
  }
  if (!stopped) send_next(c, now);
}

static void receive(struct connection *c, int64_t now) {
  static unsigned char buffer[1 << 16];
  ssize_t n = recv(c->fd, buffer, sizeof buffer, 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n == 0) return fail(c, c->in_flight ? E_SHORT : E_RESET, now);
  if (n < 0) return fail(c, c->in_flight && c->got > 0 ? E_SHORT : E_RESET, now);
  if (c->got + (size_t)n > c->sent || memcmp(buffer, c->message + c->got, (size_t)n) != 0) return fail(c, E_CORRUPT, now);
  c->got += (size_t)n;
  /* Its own clock reading, not the batch's: answers later in a batch of 100 would read early. */
  if (c->got == message_bytes) answered(c, now_ns());
}

static void open_next(int64_t now) {
  if (opened == total || stopped) return;
  struct connection *c = &connections[opened++];
  c->created_at = now;
  c->state = CONNECTING;
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (c->fd < 0) {
    errors[E_CONNECT]++;
    c->state = CLOSED;
    settle();
    return open_next(now);
  }
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(c->fd, (struct sockaddr *)&address, sizeof address) < 0 && errno != EINPROGRESS) return fail(c, E_CONNECT, now);
  watch(c, EPOLL_CTL_ADD, EPOLLOUT);
}

static void connected(struct connection *c, int64_t now) {
  int error = 0;
  socklen_t length = sizeof error;
  getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error) return fail(c, E_CONNECT, now);
  c->state = RUNNING;
  watch(c, EPOLL_CTL_MOD, EPOLLIN);
  open_next(now);
  send_next(c, now);
}

static void check_timeouts(int64_t now) {
  for (int i = 0; i < opened; i++) {
    struct connection *c = &connections[i];
    if (c->state == CONNECTING && now - c->created_at > timeout_ns) fail(c, E_CONNECT, now);
    else if (c->state == RUNNING && c->in_flight && now - c->sent_at > timeout_ns) fail(c, E_TIMEOUT, now);
  }
}

static double cpu_seconds(const struct rusage *u) {
  return u->ru_utime.tv_sec + u->ru_stime.tv_sec + (u->ru_utime.tv_usec + u->ru_stime.tv_usec) / 1e6;
}

static void start_window(int64_t now) {
  measuring = 1;
  window_start = now;
  getrusage(RUSAGE_SELF, &usage_at_start);
}

/* Ends the window: no more sends or counts, connections left open, one result line. */
static void stop_window(int64_t now) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  measuring = 0;
  stopped = 1;
  int open = 0;
  for (int i = 0; i < opened; i++) {
    if (connections[i].state == CLOSED) continue;
    open += connections[i].state == RUNNING;
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, connections[i].fd, NULL);
  }
  double window_ms = (now - window_start) / 1e6;
  printf("{\"event\":\"result\",\"completed\":%ld,\"windowMs\":%.3f,\"openAtEnd\":%d,\"cpuS\":%.6f,\"maxRssKiB\":%ld,\"perSecond\":[", completed, window_ms, open,
         cpu_seconds(&usage) - cpu_seconds(&usage_at_start), usage.ru_maxrss);
  size_t whole = (size_t)(window_ms / 1000);
  for (size_t s = 0; s < whole; s++) printf("%s%ld", s ? "," : "", s < per_second_length ? per_second[s] : 0);
  printf("],\"errors\":{");
  for (int k = 0; k < ERROR_KINDS; k++) printf("%s\"%s\":%ld", k ? "," : "", error_names[k], errors[k]);
  printf("}");
  if (recorded > 0) {
    printf(",\"latencyNs\":{\"p50\":%llu,\"p90\":%llu,\"p99\":%llu,\"p999\":%llu,\"max\":%llu,\"mean\":%.1f}", (unsigned long long)percentile(50), (unsigned long long)percentile(90),
           (unsigned long long)percentile(99), (unsigned long long)percentile(99.9), (unsigned long long)recorded_max, recorded_sum / (double)recorded);
  }
  printf("}\n");
  fflush(stdout);
}

/* Commands, one a line; end of input ends the program. */
static void command(int64_t now) {
  static char line[64];
  static size_t length;
  ssize_t n = read(STDIN_FILENO, line + length, sizeof line - 1 - length);
  if (n <= 0) exit(0);
  length += (size_t)n;
  char *end;
  while ((end = memchr(line, '\n', length))) {
    *end = 0;
    if (!strcmp(line, "measure") && !measuring && !stopped) start_window(now);
    else if (!strcmp(line, "stop") && !stopped) stop_window(now);
    length -= (size_t)(end + 1 - line);
    memmove(line, end + 1, length);
  }
  if (length == sizeof line - 1) length = 0;
}

static void pin(const char *list) {
  cpu_set_t set;
  CPU_ZERO(&set);
  /* taskset's list form: "0-2,5" */
  for (char *p = (char *)list; *p;) {
    long from = strtol(p, &p, 10), to = *p == '-' ? strtol(p + 1, &p, 10) : from;
    for (long cpu = from; cpu <= to; cpu++) CPU_SET((int)cpu, &set);
    p += strcspn(p, ",");
    p += *p == ',';
  }
  if (sched_setaffinity(0, sizeof set, &set)) perror("sched_setaffinity");
}

int main(int argc, char **argv) {
  if (argc < 5) return fprintf(stderr, "usage: echo-load PORT CONNECTIONS MESSAGE_BYTES TIMEOUT_MS [CPUS]\n"), 2;
  port = atoi(argv[1]);
  total = atoi(argv[2]);
  message_bytes = (size_t)atol(argv[3]);
  timeout_ns = atoll(argv[4]) * 1000000LL;
  if (argc > 5) pin(argv[5]);
  struct rlimit files;
  if (!getrlimit(RLIMIT_NOFILE, &files)) files.rlim_cur = files.rlim_max, setrlimit(RLIMIT_NOFILE, &files);
  connections = calloc((size_t)total, sizeof *connections);
  for (int i = 0; i < total; i++) {
    connections[i].message = malloc(message_bytes);
    for (size_t b = 0; b < message_bytes; b++) connections[i].message[b] = (unsigned char)(32 + b % 95);
  }
  epoll_fd = epoll_create1(0);
  struct epoll_event input = {.events = EPOLLIN, .data.u32 = STDIN_TAG};
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, STDIN_FILENO, &input);
  int64_t now = now_ns(), last_check = now;
  for (int i = 0; i < CONNECTS_IN_FLIGHT && i < total; i++) open_next(now);
  struct epoll_event events[256];
  for (;;) {
    int ready = epoll_wait(epoll_fd, events, 256, (int)(TIMEOUT_CHECK_NS / 1000000));
    now = now_ns();
    for (int i = 0; i < ready; i++) {
      if (events[i].data.u32 == STDIN_TAG) {
        command(now);
        continue;
      }
      struct connection *c = &connections[events[i].data.u32];
      if (c->state == CONNECTING) {
        connected(c, now);
        continue;
      }
      if (c->state == RUNNING && (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) receive(c, now);
      if (c->state == RUNNING && (events[i].events & EPOLLOUT)) push(c, now);
    }
    if (now - last_check >= TIMEOUT_CHECK_NS && !stopped) {
      check_timeouts(now);
      last_check = now;
    }
  }
}
