package cli

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

func newTestFlagSet() *flag.FlagSet { return flag.NewFlagSet("test", flag.ContinueOnError) }

// run runs the CLI against an empty state folder.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("TESTBED_DIR", t.TempDir())
	var out, errOut bytes.Buffer
	code = Run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestBadInputIsAClearErrorAndNonZeroExit(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"up", "--clusters", "0"}, 2, "--clusters must be between 1 and 99, got 0"},
		{[]string{"up", "--clusters", "100"}, 2, "--clusters must be between 1 and 99, got 100"},
		{[]string{"stop", "testbed-3"}, 1, `no cluster named "testbed-3" is running`},
		{[]string{"hang", "prod"}, 1, `"prod" is not a testbed cluster name`},
		{[]string{"slow", "testbed-1"}, 2, "slow needs --latency"},
		{[]string{"resume"}, 2, "needs one cluster or alias name"},
		{[]string{"up", "--aliases", "0"}, 2, "--aliases must be between 1 and 10"},
		{[]string{"up", "--aliases", "11"}, 2, "--aliases must be between 1 and 10"},
		{[]string{"up", "--clusters", "28", "--aliases", "2"}, 2, "--aliases needs --clusters 27 or fewer"},
		{[]string{"up", "--clusters", "10", "--aliases", "10", "--base-port", "32100"}, 2, "choose a base"},
		{[]string{"down", "testbed-2-a3"}, 1, `no cluster named "testbed-2" is running`},
		{[]string{"down", "--only-aliases", "testbed-2"}, 2, "at most one cluster or alias name, or --only-aliases"},
		{[]string{"hang", "testbed-2-a3"}, 1, `no cluster named "testbed-2" is running`},
		{[]string{"hang", "testbed-2-a11"}, 1, `"testbed-2-a11" is not a testbed cluster or alias name`},
		{[]string{"down", "testbed-2"}, 1, `no cluster named "testbed-2" is running`},
		{[]string{"seed", "--scale", "0"}, 2, "--scale must be between 1 and 500"},
		{[]string{"status"}, 1, "no clusters are running"},
	}
	for _, c := range cases {
		code, _, stderr := run(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d containing %q", c.args, code, stderr, c.code, c.want)
		}
	}
}

func TestDownOnlyAliasesWithNothingRunningSucceeds(t *testing.T) {
	code, stdout, stderr := run(t, "down", "--only-aliases")
	if code != 0 || !strings.Contains(stdout, "no aliases were running") {
		t.Fatalf("exit %d, %q %q", code, stdout, stderr)
	}
}

func TestDownWithNothingRunningSucceeds(t *testing.T) {
	code, stdout, stderr := run(t, "down")
	if code != 0 || !strings.Contains(stdout, "no clusters were running") {
		t.Fatalf("exit %d, %q %q", code, stdout, stderr)
	}
}
