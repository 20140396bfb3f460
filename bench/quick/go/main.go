// A Go app that imports nothing but syscall, so only the runtime compiles:
// the bench's quick run (BENCH_QUICK=1) proves every scenario still runs,
// the serving rows included, and measures nothing. It answers every
// connection on 8080 with one HTTP 200 and closes it; net/http would make
// every quick cold build compile it.
package main

import "syscall"

func main() {
	body := greeting() + "\n"
	response := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: " +
		decimal(len(body)) + "\r\n\r\n" + body)
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	check(err)
	check(syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1))
	check(syscall.Bind(fd, &syscall.SockaddrInet4{Port: 8080}))
	check(syscall.Listen(fd, 128))
	request := make([]byte, 4096)
	for {
		conn, _, err := syscall.Accept(fd)
		if err != nil {
			continue
		}
		// One read holds a client's whole GET; the answer is the same
		// whatever it asked.
		_, _ = syscall.Read(conn, request)
		_, _ = syscall.Write(conn, response)
		_ = syscall.Close(conn)
	}
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}

func decimal(n int) string {
	digits := ""
	for ; n > 0 || digits == ""; n /= 10 {
		digits = string(rune('0'+n%10)) + digits
	}
	return digits
}
