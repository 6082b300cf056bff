// Package cli is the testbed command line: it parses arguments and calls the
// cluster, proxy and seed packages.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// usageText is printed for help and for usage errors.
const usageText = `usage: testbed <command> [arguments]

commands:
  up [--clusters N] [--aliases A] [--base-port P]
                                      start clusters testbed-1..N (default 3, 1-99), each reachable
                                      under A names (default 1, 1-10; N <= 27 then: testbed-N, testbed-N-a2..aA);
                                      idempotent
  down [CLUSTER]                      stop all clusters (or one, with its aliases) and delete their data
  down ALIAS | --only-aliases         stop one alias (testbed-2-a3) or every alias; clusters keep running
  status [--json]                     ports, pids, fault mode and health of each cluster and alias
  stop NAME | --all                   fault: the API endpoint refuses connections
  hang NAME | --all                   fault: connections are accepted but never answered
  slow NAME | --all --latency D       fault: every response is delayed by D (e.g. 2s)
  resume NAME | --all                 end any fault
                                      (NAME: a cluster, testbed-2, or an alias, testbed-2-a3;
                                      --all: every cluster and every alias)
  seed [--scale S] [--seed K] [--clusters testbed-1,testbed-2]
                                      fill clusters with deterministic test data
testbed.sh also takes: build   (build the binaries, start nothing)
environment: TESTBED_DIR (state folder, default <repo>/.testbed); see testbed/README.md
`

// usageError is a mistake in the command line: exit code 2 and the usage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// command runs one subcommand.
type command func(ctx context.Context, env env, args []string) error

var commands = map[string]command{
	"up":     runUp,
	"down":   runDown,
	"status": runStatus,
	"stop":   faultCommand("stop"),
	"hang":   faultCommand("hang"),
	"slow":   faultCommand("slow"),
	"resume": faultCommand("resume"),
	"seed":   runSeed,
	// Started by `up` as the fault proxy of a cluster; not for people.
	"_proxy": runProxy,
}

// Run executes the command line and returns the process exit code.
func Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usageText)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "testbed: unknown command %q\n\n%s", args[0], usageText)
		return 2
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	e, err := loadEnv(stdout, stderr)
	if err == nil {
		err = cmd(ctx, e, args[1:])
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "testbed %s: %v\n\n%s", args[0], err, usageText)
		return 2
	default:
		fmt.Fprintf(stderr, "testbed %s: %v\n", args[0], err)
		return 1
	}
}
