package cli

import (
	"fmt"
	"os"
	"syscall"
)

// lock takes an exclusive lock on the state folder so that two `up`s (for
// example from parallel test workers) do not start the same cluster twice.
// The lock is released when the returned function runs or the process exits.
func lock(e env) (func(), error) {
	if err := os.MkdirAll(e.layout.Root, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(e.layout.LockFile(), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		fmt.Fprintln(e.errOut, "waiting for another testbed command to finish...")
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", e.layout.LockFile(), err)
		}
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
