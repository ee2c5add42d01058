/*
 * The floor for Benchmarks/bench-lambda.sh: the least a Lambda custom runtime can do. One
 * keep-alive connection to AWS_LAMBDA_RUNTIME_API; for every invocation it reads the event,
 * ignores it, and posts a fixed API Gateway v2 answer to GET /v1/health. No JSON parsing, no
 * routing, no logging: what is left is process start, the socket round trips and the kernel.
 * Exits 0 on SIGTERM, like the api-handler. Built by bench-lambda.sh with `cc -O2`; not shipped.
 */
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[1 << 20];
static size_t have;

static void on_term(int sig) {
    (void)sig;
    _exit(0);
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, 0);
        if (w <= 0) die("send");
        p += w;
        n -= (size_t)w;
    }
}

/* Reads one HTTP response; copies the request id header (if any) into id. */
static void read_response(int fd, char *id, size_t idlen) {
    char *end;
    for (;;) {
        buf[have] = 0;
        if ((end = strstr(buf, "\r\n\r\n")) != NULL) break;
        ssize_t r = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        if (r <= 0) die("recv");
        have += (size_t)r;
    }
    size_t head = (size_t)(end - buf) + 4;
    size_t length = 0;
    if (id) id[0] = 0;
    for (char *line = strstr(buf, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, "content-length:", 15) == 0) length = strtoul(line + 15, NULL, 10);
        if (id && strncasecmp(line, "lambda-runtime-aws-request-id:", 30) == 0) {
            char *v = line + 30;
            while (*v == ' ') v++;
            size_t n = strcspn(v, "\r");
            if (n >= idlen) n = idlen - 1;
            memcpy(id, v, n);
            id[n] = 0;
        }
    }
    while (have < head + length) {
        ssize_t r = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        if (r <= 0) die("recv");
        have += (size_t)r;
    }
    memmove(buf, buf + head + length, have - head - length);
    have -= head + length;
}

int main(void) {
    signal(SIGTERM, on_term);
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api) die("AWS_LAMBDA_RUNTIME_API");
    char host[256];
    const char *colon = strrchr(api, ':');
    if (!colon || (size_t)(colon - api) >= sizeof host) die("AWS_LAMBDA_RUNTIME_API");
    memcpy(host, api, (size_t)(colon - api));
    host[colon - api] = 0;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
    if (getaddrinfo(host, colon + 1, &hints, &ai) != 0) die("getaddrinfo");
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    static const char next[] = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n";
    static const char answer[] =
        "{\"statusCode\":200,\"headers\":{\"content-type\":\"application/json\"},"
        "\"body\":\"{\\\"status\\\":\\\"healthy\\\"}\",\"isBase64Encoded\":false}";
    char id[256], request[1024];
    for (;;) {
        send_all(fd, next, sizeof next - 1);
        read_response(fd, id, sizeof id);
        int n = snprintf(request, sizeof request,
                         "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: runtime\r\n"
                         "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                         id, sizeof answer - 1, answer);
        send_all(fd, request, (size_t)n);
        read_response(fd, NULL, 0);
    }
}
