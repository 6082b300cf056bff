// Package proc starts the long-running processes of a cluster detached from
// the CLI (their own session, output to a log file) and finds or stops them
// again later by pid.
package proc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Spec describes one process to start.
type Spec struct {
	Path    string
	Args    []string
	Env     []string // added to the CLI's environment
	LogFile string
}

// Start launches spec in a new session so it outlives the CLI and gets no
// signal when the terminal that ran `up` closes. It returns the pid.
func Start(spec Spec) (int, error) {
	logFile, err := os.OpenFile(spec.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, err
	}
	defer logFile.Close()
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		return 0, err
	}
	defer devNull.Close()

	cmd := exec.Command(spec.Path, spec.Args...)
	cmd.Env = append(os.Environ(), spec.Env...)
	cmd.Stdin = devNull
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start %s: %w", spec.Path, err)
	}
	pid := cmd.Process.Pid
	// Reap it if it exits while this CLI still runs, so Alive does not see a
	// zombie; once the CLI exits, init adopts it.
	go func() { _ = cmd.Wait() }()
	return pid, nil
}

// Alive reports whether pid is a running (not zombie) process with an argument
// that names the folder marker (ends with it or has it followed by "/"). This
// guards against a recycled pid: every testbed process has its cluster's folder
// on its command line, and testbed-1 does not match testbed-10.
func Alive(pid int, marker string) bool {
	if pid <= 0 {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state letter follows the parenthesised command name.
	if i := bytes.LastIndexByte(stat, ')'); i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' || stat[i+2] == 'X' {
		return false
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false
	}
	for _, arg := range strings.Split(string(cmdline), "\x00") {
		if strings.HasSuffix(arg, marker) || strings.Contains(arg, marker+"/") {
			return true
		}
	}
	return false
}

// Stop sends SIGTERM to the process group of pid (each process leads its own
// session), waits up to grace for it to exit, then sends SIGKILL. A process
// stopped with SIGSTOP gets SIGCONT so it can act on the SIGTERM.
func Stop(pid int, marker string, grace time.Duration) error {
	if !Alive(pid, marker) {
		return nil
	}
	_ = syscall.Kill(-pid, syscall.SIGCONT)
	if err := syscall.Kill(-pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal %d: %w", pid, err)
	}
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if !Alive(pid, marker) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	for i := 0; i < 100 && Alive(pid, marker); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if Alive(pid, marker) {
		return fmt.Errorf("process %d did not exit after SIGKILL", pid)
	}
	return nil
}
