package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"

	"archipelago.dev/testbed/internal/cluster"
	"archipelago.dev/testbed/internal/layout"
)

// runDown stops all clusters, or the one named, and deletes their folders so
// the next `up` starts from empty clusters.
func runDown(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("down", flag.ContinueOnError)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return usagef("down takes at most one cluster name")
	}
	unlock, err := lock(e)
	if err != nil {
		return err
	}
	defer unlock()

	var targets []int
	if len(rest) == 1 {
		if _, err := resolve(ctx, e, rest[0]); err != nil {
			return err
		}
		i, _ := layout.ClusterIndex(rest[0])
		targets = []int{i}
	} else if targets, err = known(e); err != nil {
		return err
	}

	// Clusters are independent, so they stop in parallel: down of ten
	// clusters takes as long as the slowest one.
	var wg sync.WaitGroup
	errs := make([]error, len(targets))
	for n, i := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := e.layout.Cluster(layout.ClusterName(i))
			if errs[n] = cluster.Remove(c); errs[n] == nil {
				fmt.Fprintf(e.out, "%s stopped\n", c.Name)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := writeKubeconfig(e); err != nil {
		return err
	}
	if len(rest) == 0 {
		if err := os.Remove(e.layout.Settings()); err != nil && !os.IsNotExist(err) {
			return err
		}
		if len(targets) == 0 {
			fmt.Fprintln(e.out, "no clusters were running")
		}
	}
	return nil
}
