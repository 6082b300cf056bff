package proc

import (
	"path/filepath"
	"testing"
	"time"
)

func TestStartAliveStop(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "testbed-1")
	// sh ignores the argument after the script: it only carries the marker. The script must
	// not end in a lone command: dash execs that in place of itself, and the marker with it.
	pid, err := Start(Spec{Path: "/bin/sh", Args: []string{"-c", "sleep 60; exit 0", marker + "/x"}, LogFile: filepath.Join(dir, "log")})
	if err != nil {
		t.Fatal(err)
	}
	if !Alive(pid, marker) {
		t.Fatal("started process not alive")
	}
	if Alive(pid, marker+"0") {
		t.Fatal("testbed-10 marker matched testbed-1's process")
	}
	if err := Stop(pid, marker, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if Alive(pid, marker) {
		t.Fatal("process alive after Stop")
	}
}
