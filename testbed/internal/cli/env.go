package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"archipelago.dev/testbed/internal/cluster"
	"archipelago.dev/testbed/internal/layout"
)

// env is what every command needs: where state lives, the binaries, output.
type env struct {
	layout layout.Layout
	bin    cluster.Binaries
	out    io.Writer
	errOut io.Writer
}

// loadEnv reads TESTBED_DIR and TESTBED_K8S_BIN, which testbed.sh sets.
func loadEnv(stdout, stderr io.Writer) (env, error) {
	root := os.Getenv("TESTBED_DIR")
	if root == "" {
		return env{}, fmt.Errorf("TESTBED_DIR is not set; run through testbed/testbed.sh")
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return env{}, err
	}
	self, err := os.Executable()
	if err != nil {
		return env{}, err
	}
	k8s := os.Getenv("TESTBED_K8S_BIN")
	if k8s == "" {
		k8s = filepath.Join(filepath.Dir(self), "testbed-k8s")
	}
	return env{
		layout: layout.Layout{Root: root},
		bin:    cluster.Binaries{K8s: k8s, CLI: self},
		out:    stdout,
		errOut: stderr,
	}, nil
}
