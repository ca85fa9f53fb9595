/* A closed-loop echo client in C, the reference the load generator is checked against: C
 * connections, 64-byte messages, one in flight per connection, W seconds of warm-up, then D
 * seconds counted. Prints {"perS":N}. Usage: echo-client PORT C D [W] */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 4) return fprintf(stderr, "usage: echo-client PORT C D\n"), 2;
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
  /* 64-byte echoes arrive whole on loopback; counting one per read is exact enough for scale. */
  long answers = 0;
  struct epoll_event events[64];
  double start = now() + warmup;
  while (now() - start < duration) {
    int ready = epoll_wait(epoll, events, 64, 100);
    for (int i = 0; i < ready; i++) {
      if (recv(events[i].data.fd, buffer, sizeof buffer, 0) > 0) {
        answers += now() >= start;
        send(events[i].data.fd, message, sizeof message, 0);
      }
    }
  }
  printf("{\"perS\":%.0f}\n", answers / (now() - start));
  return 0;
}
