/* A closed-loop echo client in C, the reference the load generator is checked against: C
 * connections, 64-byte messages, one in flight per connection, W seconds of warm-up, then D
 * seconds counted. Prints {"perS":N,"cpuUsPerAnswer":U}, U its own CPU time per answer counted.
 * Usage: echo-client PORT C D [W] */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double cpu_seconds(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 4) return fprintf(stderr, "usage: echo-client PORT C D [W]\n"), 2;
  int port = atoi(argv[1]), connections = atoi(argv[2]), one = 1;
  double duration = atof(argv[3]), warmup = argc > 4 ? atof(argv[4]) : 0;
  int epoll = epoll_create1(0);
  char buffer[65536], message[64] = {0};
  for (int i = 0; i < connections; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port) };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof address)) return perror("connect"), 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct epoll_event event = { .events = EPOLLIN, .data.fd = fd };
    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
    send(fd, message, sizeof message, 0);
  }
  /* A 64-byte echo arrives whole on loopback (the servers send it in one piece): one read, one answer. */
  long answers = 0;
  struct epoll_event events[64];
  double start = now() + warmup, cpu_at_start = -1;
  while (now() - start < duration) {
    if (cpu_at_start < 0 && now() >= start) cpu_at_start = cpu_seconds();
    int ready = epoll_wait(epoll, events, 64, 100);
    for (int i = 0; i < ready; i++) {
      if (recv(events[i].data.fd, buffer, sizeof buffer, 0) > 0) {
        answers += now() >= start;
        send(events[i].data.fd, message, sizeof message, 0);
      }
    }
  }
  double elapsed = now() - start, cpu = cpu_seconds() - cpu_at_start;
  printf("{\"perS\":%.0f,\"cpuUsPerAnswer\":%.3f}\n", answers / elapsed, answers ? 1e6 * cpu / answers : 0);
  return 0;
}
