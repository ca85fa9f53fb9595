/* The fastest echo server we can build here, for benchmarking the load generator only:
 * one thread, edge-free epoll, 127.0.0.1 port 0; prints {"event":"ready","port":N}. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
  int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = 0 };
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, (struct sockaddr *)&address, sizeof address) || listen(listener, 4096)) return perror("bind"), 1;
  socklen_t length = sizeof address;
  getsockname(listener, (struct sockaddr *)&address, &length);
  printf("{\"event\":\"ready\",\"port\":%d}\n", ntohs(address.sin_port));
  fflush(stdout);
  int epoll = epoll_create1(0);
  struct epoll_event event = { .events = EPOLLIN, .data.fd = listener }, events[256];
  epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
  static char buffer[1 << 16];
  for (;;) {
    int ready = epoll_wait(epoll, events, 256, -1);
    for (int i = 0; i < ready; i++) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        int client = accept(listener, NULL, NULL);
        if (client < 0) continue;
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event added = { .events = EPOLLIN, .data.fd = client };
        epoll_ctl(epoll, EPOLL_CTL_ADD, client, &added);
        continue;
      }
      ssize_t got = recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0) { close(fd); continue; }
      /* blocking socket: send completes the echo (the benchmark's messages are small) */
      for (ssize_t sent = 0; sent < got;) {
        ssize_t n = send(fd, buffer + sent, got - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += n;
      }
    }
  }
}
