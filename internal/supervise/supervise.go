// Package supervise runs an app's process under a small PID 1 that passes
// stop signals on. A Procfile line runs as `sh -c "..."`, and Debian's dash
// does not hand PID 1 over to the last command of a list, so without it
// docker stop and Kubernetes signal the shell and the app is killed after
// the grace period. It imports nothing but the standard library, as it runs
// in the run image at every container start.
package supervise

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Forwarded are the signals passed on to the app's process group: the stop
// signals, and the ones gunicorn and uvicorn use to reload or resize.
var Forwarded = []os.Signal{
	syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP,
	syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGWINCH,
}

// Run starts argv in a process group of its own, sends every signal from
// signals to that whole group, and returns the exit code for the
// supervisor: the child's, or 128+N when signal N killed it. After a stop
// signal it waits for every descendant, so a server still finishing its
// requests is not killed when the shell that started it exits first.
func Run(argv []string, signals <-chan os.Signal, stderr io.Writer) int {
	if len(argv) == 0 {
		fmt.Fprintln(stderr, "onbuild supervise: no command to run")
		return 2
	}
	// As PID 1 in a container orphans come to us anyway; elsewhere (tests,
	// docker run --init) this makes the shell's children ours to reap and
	// wait for.
	_ = setChildSubreaper()

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "onbuild supervise: unable to start %s: %v\n", argv[0], err)
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			return 127
		}
		return 126
	}
	child := cmd.Process.Pid

	exits, done := make(chan exit), make(chan struct{})
	defer close(done)
	go reap(exits, done)

	code, childDone, stopping := 0, false, false
	for {
		select {
		case sig := <-signals:
			stopping = stopping || isStop(sig)
			// The group dies with its leader's pid only once every member
			// has exited, so -child still reaches what the shell started.
			_ = syscall.Kill(-child, sig.(syscall.Signal))
		case e, ok := <-exits:
			if !ok {
				return code
			}
			if e.pid == child {
				code, childDone = e.code, true
			}
		}
		if childDone && !stopping {
			return code
		}
	}
}

// isStop tells the signals after which the supervisor waits for all of the
// app's processes, from those (HUP, TTIN...) a server handles and lives on.
func isStop(sig os.Signal) bool {
	return sig == syscall.SIGTERM || sig == syscall.SIGINT || sig == syscall.SIGQUIT
}

type exit struct{ pid, code int }

// reap collects every child that exits, ours or an orphan handed to us, and
// closes exits when none is left. It polls rather than blocks in wait4, so
// it stops with Run and never takes a later caller's child.
func reap(exits chan<- exit, done <-chan struct{}) {
	defer close(exits)
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return
		}
		if pid <= 0 {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			continue
		}
		code := status.ExitStatus()
		if status.Signaled() {
			code = 128 + int(status.Signal())
		}
		select {
		case exits <- exit{pid, code}:
		case <-done:
			return
		}
	}
}

// setChildSubreaper is prctl(PR_SET_CHILD_SUBREAPER, 1).
func setChildSubreaper() error {
	const prSetChildSubreaper = 36
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
