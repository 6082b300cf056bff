package cli

import (
	"errors"
	"testing"
)

func TestParseUp(t *testing.T) {
	a, err := parseUp(nil)
	if err != nil || a.clusters != DefaultClusters || a.baseSet {
		t.Fatalf("defaults: %+v %v", a, err)
	}
	if a.aliases != 1 {
		t.Fatalf("default aliases: %+v", a)
	}
	a, err = parseUp([]string{"--clusters", "10", "--base-port=20000", "--aliases", "10"})
	if err != nil || a.clusters != 10 || a.basePort != 20000 || !a.baseSet || a.aliases != 10 {
		t.Fatalf("explicit: %+v %v", a, err)
	}
	for _, args := range [][]string{
		{"--clusters", "0"}, {"--clusters", "100"}, {"--clusters", "-1"}, {"--clusters", "three"},
		{"--nodes", "3"}, {"extra"}, {"--base-port", "80"},
	} {
		_, err := parseUp(args)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: want a usage error, got %v", args, err)
		}
	}
}

func TestParseAllowsFlagsAfterPositionals(t *testing.T) {
	fs := newTestFlagSet()
	latency := fs.Duration("latency", 0, "")
	rest, err := parse(fs, []string{"testbed-2", "--latency", "2s"})
	if err != nil || len(rest) != 1 || rest[0] != "testbed-2" || latency.Seconds() != 2 {
		t.Fatalf("got %v %v %v", rest, *latency, err)
	}
}
