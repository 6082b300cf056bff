// Command testbed runs the Archipelago test bed: real Kubernetes clusters on
// 127.0.0.1 (see testbed/README.md). Use it through testbed/testbed.sh, which
// builds it and sets TESTBED_DIR.
package main

import (
	"os"

	"archipelago.dev/testbed/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
