package invoke

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/onbuild-buildpacks/onbuild/internal/network"
)

// A hook runs in its own process group, with its output through a pipe we
// own. exec.Cmd with a writer that is not a file copies from a pipe and
// waits for every holder of its write end: a hook that leaves `sleep 1000 &`
// behind hung the build until the sleep ended. Here the wait is for the
// hook itself; what it left in its group is then stopped and named.

// stopGrace is how long a left-behind process, or a hook past its
// timeout, has between SIGTERM and SIGKILL.
var stopGrace = 3 * time.Second

// settle is how long a left-behind process gets to exec before it is named.
var settle = 200 * time.Millisecond

// drainWait bounds how long the output may stay open once the hook and its
// group are gone: a daemon that moved to its own session still holds it.
var drainWait = 2 * time.Second

// Process is one run of a hook program.
type Process struct {
	Command string
	Args    []string
	Dir     string
	Env     []string
	Output  io.Writer
	// Timeout stops the hook (and its group) when it runs longer; 0 is no
	// limit.
	Timeout time.Duration
	// KeepLeftovers leaves what the hook started running once it exits:
	// a deploy hook may start a companion of the app on purpose.
	KeepLeftovers bool
}

// Result is what happened besides the exit status.
type Result struct {
	// Left describes each process the hook left running ("1234 sleep
	// 1000"), all of them stopped.
	Left []string
	// TimedOut is set when the hook ran past its timeout and was stopped.
	TimedOut bool
	// Detached is set when something outside the hook's process group
	// still held its output after it exited.
	Detached bool
}

func (p Process) Run() (Result, error) {
	var result Result
	cmd := exec.Command(p.Command, p.Args...)
	cmd.Dir, cmd.Env = p.Dir, p.Env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	output, err := p.connectOutput(cmd)
	if err != nil {
		return result, err
	}
	err = cmd.Start()
	output.started()
	if err != nil {
		output.drain()
		return result, err
	}
	pgid := cmd.Process.Pid

	ctx := context.Background()
	if p.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.Timeout)
		defer cancel()
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err = <-exited:
	case <-ctx.Done():
		result.TimedOut = true
		stopGroup(pgid)
		err = <-exited
	}
	if !result.TimedOut && !p.KeepLeftovers {
		result.Left = stopLeftovers(pgid)
	}
	result.Detached = !output.drain()
	return result, err
}

// stopLeftovers stops what is left of the hook's group and describes it.
func stopLeftovers(pgid int) []string {
	left := groupMembers(pgid)
	if len(left) == 0 {
		return nil
	}
	// A child forked just before the hook exited may not have exec'd its
	// program yet: let it, so the warning names sleep, not a copy of the
	// hook's shell.
	time.Sleep(settle)
	var described []string
	for _, pid := range groupMembers(pgid) {
		described = append(described, describe(pid))
	}
	stopGroup(pgid)
	return described
}

// hookOutput is the pipe between a hook and its output writer, or nothing
// when the writer is a file the hook can write to itself.
type hookOutput struct {
	reader, writer *os.File
	copied         chan struct{}
}

// connectOutput hands an *os.File output (the deploy hook's stderr) over as
// it is: nothing to copy, and a process left running keeps writing to it.
// Any other writer gets a pipe that we, not exec.Cmd, wait for.
func (p Process) connectOutput(cmd *exec.Cmd) (hookOutput, error) {
	output := hookOutput{copied: make(chan struct{})}
	if file, ok := p.Output.(*os.File); ok {
		cmd.Stdout, cmd.Stderr = file, file
		close(output.copied)
		return output, nil
	}
	var err error
	if output.reader, output.writer, err = os.Pipe(); err != nil {
		return output, fmt.Errorf("unable to create a pipe for the hook output\n%w", err)
	}
	cmd.Stdout, cmd.Stderr = output.writer, output.writer
	go func() {
		_, _ = io.Copy(p.Output, output.reader)
		close(output.copied)
	}()
	return output, nil
}

// started closes our copy of the write end: the hook has its own.
func (o hookOutput) started() {
	if o.writer != nil {
		o.writer.Close()
	}
}

// drain waits for the output to end, at most drainWait, and reports
// whether it did; past that, something outside the group holds it.
func (o hookOutput) drain() bool {
	ended := true
	if o.reader != nil {
		select {
		case <-o.copied:
		case <-time.After(drainWait):
			ended = false
		}
		o.reader.Close()
	}
	<-o.copied
	return ended
}

// stopGroup sends SIGTERM to the group, then SIGKILL to whatever of it is
// still there after stopGrace.
func stopGroup(pgid int) {
	if syscall.Kill(-pgid, syscall.SIGTERM) != nil {
		return // the group is empty
	}
	deadline := time.Now().Add(stopGrace)
	for time.Now().Before(deadline) {
		if len(groupMembers(pgid)) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// groupMembers lists the live processes of a process group from /proc.
// Zombies are not counted: they are dead, only waiting for their parent.
func groupMembers(pgid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", entry.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces and parens.
		end := bytes.LastIndexByte(stat, ')')
		if end < 0 {
			continue
		}
		fields := strings.Fields(string(stat[end+1:]))
		if len(fields) < 3 || fields[0] == "Z" || fields[0] == "X" {
			continue
		}
		if group, err := strconv.Atoi(fields[2]); err == nil && group == pgid {
			pids = append(pids, pid)
		}
	}
	sort.Ints(pids)
	return pids
}

// describe names a process by its pid and command line, for the warning.
func describe(pid int) string {
	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	command := strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))
	if err != nil || command == "" {
		return strconv.Itoa(pid)
	}
	// A command line may carry a token (curl -u me:pw, a URL with user info).
	command = network.RedactText(command)
	if len(command) > 120 {
		command = command[:120] + "..."
	}
	return strconv.Itoa(pid) + " " + command
}

// ExitStatus returns the exit code an exec.d program passes on for a
// failed hook, and how to say what happened.
func ExitStatus(err error) (int, string) {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return 126, fmt.Sprintf("could not start (%v)", err)
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), fmt.Sprintf("was killed by signal %s", ws.Signal())
	}
	return exit.ExitCode(), fmt.Sprintf("exited with code %d", exit.ExitCode())
}
